/**
 * An overwritten root's unclaimed leaves go back to carried balances once, after the overwrite
 * is confirmed, whatever crashes in between; when the chain cannot prove which leaves were
 * claimed, nothing goes back and the operator is told. Against the local chain, where the
 * attention program (its stand-in, or the compiled program with ATTENTION_PROGRAM_SO) executes
 * the publisher's overwrites and the viewers' claims.
 */
import { describe, expect, it } from 'vitest';
import { ChainError } from '../../layers/shared/src/errors.ts';
import type { SolanaClient } from '../../layers/shared/src/ports/solana.ts';
import { publishRoot } from '../../layers/shared/src/services/attention/publisher.ts';
import { settleRecordedOverwrite } from '../../layers/shared/src/services/attention/replaced-roots.ts';
import {
  type AttentionChain,
  attentionChainPerTarget,
  carriedBalance,
  claimFromWallet,
  leafAmount,
  PROGRAM_TARGETS,
  sealViewers,
} from '../fixtures/attention-chain.ts';
import type { TestDatabase } from '../fixtures/db.ts';

const HOUR = 3600;
const RING = 10 * HOUR;

let t: TestDatabase;
let chain: AttentionChain;

/** The client with `method` replaced; everything else passes through. */
function withMethod<K extends keyof SolanaClient>(method: K, replacement: SolanaClient[K]): SolanaClient {
  return new Proxy(chain.client, {
    get(target, property, receiver) {
      if (property === method) return replacement;
      const value = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

async function ledgerKeys(channel: string): Promise<string[]> {
  const rows = await t.sql<{ source_key: string }[]>`
    select source_key from attention.carry_ledger where source_key like ${`return:%:${channel}:%`} order by source_key`;
  return rows.map((r) => r.source_key);
}

async function publication(epoch: number, channel: string) {
  const [row] = await t.sql<{ status: string; error: string | null; returned: boolean }[]>`
    select status, error, returned_at is not null as returned from attention.publications
    where epoch = ${epoch} and channel = ${channel}`;
  return row;
}

describe.each(PROGRAM_TARGETS)('returning an overwritten root: $name', (target) => {
  const { skip } = target;
  attentionChainPerTarget(target, (db, started) => {
    t = db;
    chain = started;
  });

  it.skipIf(skip)(
    'returns the unclaimed leaves once when the publisher dies after the overwrite was confirmed and the message comes again',
    async () => {
      const channel = 'crash_chan';
      const epoch = 1_767_247_200;
      await sealViewers(t.sql, chain, { channel, epoch, viewers: ['crash_alice', 'crash_bob'] });
      await publishRoot(chain.publisherDeps(), { epoch, channel });
      await sealViewers(t.sql, chain, { channel, epoch: epoch + RING, viewers: ['crash_next'] });
      const dying = withMethod('getSignaturesForAddress', () =>
        Promise.reject(new ChainError('Solana getSignaturesForAddress failed: socket hang up', 'network')),
      );

      await expect(
        publishRoot(chain.publisherDeps({ solana: dying }), { epoch: epoch + RING, channel }),
      ).rejects.toThrow(/socket hang up/);
      expect(await publication(epoch + RING, channel)).toMatchObject({ status: 'sent' });
      expect(await carriedBalance(t.sql, 'crash_alice')).toBe(0n);

      expect((await publishRoot(chain.publisherDeps(), { epoch: epoch + RING, channel })).outcome).toBe(
        'published',
      );
      expect((await publishRoot(chain.publisherDeps(), { epoch: epoch + RING, channel })).outcome).toBe(
        'already-published',
      );

      expect(await carriedBalance(t.sql, 'crash_alice')).toBe(
        await leafAmount(t.sql, { epoch, channel, viewer: 'crash_alice' }),
      );
      expect(await carriedBalance(t.sql, 'crash_bob')).toBe(
        await leafAmount(t.sql, { epoch, channel, viewer: 'crash_bob' }),
      );
      expect(await ledgerKeys(channel)).toEqual([
        `return:${epoch}:${channel}:0`,
        `return:${epoch}:${channel}:1`,
      ]);
      expect(await publication(epoch, channel)).toMatchObject({ status: 'published', returned: true });
    },
  );

  it.skipIf(skip)(
    'returns nothing, and says why on the replaced root, when the cluster no longer has a claim made after the bitmap was read; the operator settles it once from an RPC with the history',
    async () => {
      const channel = 'forgot_chan';
      const epoch = 1_767_250_800;
      const wallets = await sealViewers(t.sql, chain, {
        channel,
        epoch,
        viewers: ['forgot_alice', 'forgot_bob'],
      });
      await publishRoot(chain.publisherDeps(), { epoch, channel });
      await sealViewers(t.sql, chain, { channel, epoch: epoch + RING, viewers: ['forgot_next'] });
      let claimSignature = '';
      const racingAndForgetting = new Proxy(chain.client, {
        get(target, property, receiver) {
          if (property === 'sendTransaction') {
            return async (...args: Parameters<SolanaClient['sendTransaction']>) => {
              if (claimSignature === '') {
                const wallet = wallets.get('forgot_alice')!;
                ({ signature: claimSignature } = await claimFromWallet(t.sql, chain, {
                  epoch,
                  channel,
                  viewer: 'forgot_alice',
                  wallet,
                }));
              }
              return target.sendTransaction(...args);
            };
          }
          if (property === 'getTransaction') {
            return (signature: string) =>
              signature === claimSignature ? Promise.resolve(null) : target.getTransaction(signature);
          }
          const value = Reflect.get(target, property, receiver);
          return typeof value === 'function' ? value.bind(target) : value;
        },
      });

      const outcome = await publishRoot(chain.publisherDeps({ solana: racingAndForgetting }), {
        epoch: epoch + RING,
        channel,
      });

      expect(outcome.outcome).toBe('published');
      expect(await carriedBalance(t.sql, 'forgot_alice')).toBe(0n);
      expect(await carriedBalance(t.sql, 'forgot_bob')).toBe(0n);
      expect((await publication(epoch, channel))?.error).toMatch(
        new RegExp(
          `overwritten by epoch ${epoch + RING}; nothing returned: the cluster no longer has transaction ${claimSignature}`,
        ),
      );

      // The runbook: `oracle publication return`, still against the forgetting RPC, then
      // against one that has the history, twice.
      const overwrite = { epoch: epoch + RING, channel };
      expect(
        await settleRecordedOverwrite(chain.publisherDeps({ solana: racingAndForgetting }), overwrite),
      ).toMatchObject({ outcome: 'undecided', epoch });
      expect(await carriedBalance(t.sql, 'forgot_bob')).toBe(0n);
      const bobLeaf = await leafAmount(t.sql, { epoch, channel, viewer: 'forgot_bob' });
      expect(await settleRecordedOverwrite(chain.publisherDeps(), overwrite)).toEqual({
        outcome: 'returned',
        epoch,
        claimed: 1,
        credited: bobLeaf,
      });
      expect(await carriedBalance(t.sql, 'forgot_alice')).toBe(0n);
      expect(await carriedBalance(t.sql, 'forgot_bob')).toBe(bobLeaf);
      expect((await publication(epoch, channel))?.error).toBeNull();
      expect(await settleRecordedOverwrite(chain.publisherDeps(), overwrite)).toMatchObject({ credited: 0n });
      expect(await carriedBalance(t.sql, 'forgot_bob')).toBe(bobLeaf);
    },
  );

  it.skipIf(skip)(
    'publishes, not expires, a root that landed before a newer one took its slot, and returns its leaves only once',
    async () => {
      const channel = 'late_chan';
      const epoch = 1_767_254_400;
      const wallets = await sealViewers(t.sql, chain, {
        channel,
        epoch,
        viewers: ['late_alice', 'late_bob'],
      });
      // The root lands, but its consumer dies before it records that.
      const dying = withMethod('confirmTransaction', () =>
        Promise.reject(
          new ChainError('Solana getSignatureStatuses failed: the function timed out', 'network'),
        ),
      );
      await expect(publishRoot(chain.publisherDeps({ solana: dying }), { epoch, channel })).rejects.toThrow(
        /timed out/,
      );
      expect(await publication(epoch, channel)).toMatchObject({ status: 'sent' });
      await claimFromWallet(t.sql, chain, {
        epoch,
        channel,
        viewer: 'late_alice',
        wallet: wallets.get('late_alice')!,
      });
      await sealViewers(t.sql, chain, { channel, epoch: epoch + RING, viewers: ['late_next'] });
      expect((await publishRoot(chain.publisherDeps(), { epoch: epoch + RING, channel })).outcome).toBe(
        'published',
      );

      // The old message comes back: its slot holds a newer epoch now, but its root did land.
      expect((await publishRoot(chain.publisherDeps(), { epoch, channel })).outcome).toBe('published');

      expect(await publication(epoch, channel)).toMatchObject({ status: 'published', returned: true });
      expect(await carriedBalance(t.sql, 'late_alice')).toBe(0n);
      expect(await carriedBalance(t.sql, 'late_bob')).toBe(
        await leafAmount(t.sql, { epoch, channel, viewer: 'late_bob' }),
      );
      expect(await ledgerKeys(channel)).toEqual([`return:${epoch}:${channel}:1`]);
    },
  );

  it.skipIf(skip)(
    'does not send a root the scheduler expired while the consumer was signing it',
    async () => {
      const channel = 'expiring_chan';
      const epoch = 1_767_258_000;
      await sealViewers(t.sql, chain, { channel, epoch, viewers: ['expiring_alice'] });
      const sends = chain.rpc.callCount('sendTransaction');
      const expiringMeanwhile = withMethod('signTransaction', async (...args) => {
        const signed = await chain.client.signTransaction(...args);
        await t.sql`update attention.publications set status = 'expired' where epoch = ${epoch} and channel = ${channel}`;
        return signed;
      });

      const outcome = await publishRoot(chain.publisherDeps({ solana: expiringMeanwhile }), {
        epoch,
        channel,
      });

      expect(outcome).toEqual({ outcome: 'expired', reason: 'expired before it was sent' });
      expect(chain.rpc.callCount('sendTransaction')).toBe(sends);
      expect(await publication(epoch, channel)).toMatchObject({ status: 'expired' });
    },
  );
});
