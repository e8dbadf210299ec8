/**
 * Issue 17, H1: when a root's ring slot is overwritten, its unclaimed amounts go back to carried
 * balances. They must go back only once the overwrite has landed, and only for leaves nobody
 * claimed before it did; otherwise a viewer is paid twice, on chain and again from the carry
 * tree. Each test drives the real publisher against the local chain, where the attention
 * program (its stand-in, or the compiled program with ATTENTION_PROGRAM_SO) executes the
 * overwrite and the viewers' claims.
 */
import type { Keypair } from '@solana/web3.js';
import { describe, expect, it } from 'vitest';
import type { SolanaClient } from '../../layers/shared/src/ports/solana.ts';
import { ClaimsReader } from '../../layers/shared/src/services/attention/claims.ts';
import { publishRoot } from '../../layers/shared/src/services/attention/publisher.ts';
import {
  type AttentionChain,
  attentionChainPerTarget,
  carriedBalance,
  claimFromWallet,
  leafAmount,
  PROGRAM_TARGETS,
  sealViewers,
  tokenBalance,
} from '../fixtures/attention-chain.ts';
import type { TestDatabase } from '../fixtures/db.ts';

const HOUR = 3600;
/** The epoch after which the same ring slot comes round again. */
const RING = 10 * HOUR;

let t: TestDatabase;
let chain: AttentionChain;
const walletOf = new Map<string, Keypair>();

/** What each viewer got for the old root: tokens on chain plus what came back to their carried balance. */
async function paidFor(
  viewers: readonly string[],
): Promise<Record<string, { onChain: bigint; carried: bigint }>> {
  const out: Record<string, { onChain: bigint; carried: bigint }> = {};
  for (const viewer of viewers) {
    out[viewer] = {
      onChain: await tokenBalance(chain, walletOf.get(viewer)?.publicKey.toBase58() ?? ''),
      carried: await carriedBalance(t.sql, viewer),
    };
  }
  return out;
}

/** An old root published for `viewers` and a newer root sealed for the same ring slot. */
async function oldRootAndItsSuccessor(channel: string, epoch: number, viewers: readonly string[]) {
  const wallets = await sealViewers(t.sql, chain, { channel, epoch, viewers });
  for (const [viewer, wallet] of wallets) walletOf.set(viewer, wallet);
  expect((await publishRoot(chain.publisherDeps(), { epoch, channel })).outcome).toBe('published');
  await sealViewers(t.sql, chain, { channel, epoch: epoch + RING, viewers: [`${channel}_next`] });
  const amounts: Record<string, bigint> = {};
  for (const viewer of viewers) amounts[viewer] = await leafAmount(t.sql, { epoch, channel, viewer });
  return { wallets, amounts };
}

describe.each(PROGRAM_TARGETS)('ring slot returns (H1): $name', (target) => {
  const { skip } = target;
  attentionChainPerTarget(target, (db, started) => {
    t = db;
    chain = started;
  });

  it.skipIf(skip)(
    'a claim racing the overwrite is not paid twice (the claim lands between the bitmap read and the overwrite)',
    async () => {
      const channel = 'race_chan';
      const epoch = 1_767_225_600;
      const viewers = ['race_alice', 'race_bob'];
      const { wallets, amounts } = await oldRootAndItsSuccessor(channel, epoch, viewers);
      let raced = false;
      // Alice's claim lands after the publisher read the slot and before its overwrite goes out.
      const racing = new Proxy(chain.client, {
        get(target, property, receiver) {
          if (property === 'sendTransaction') {
            return async (...args: Parameters<SolanaClient['sendTransaction']>) => {
              if (!raced) {
                raced = true;
                await claimFromWallet(t.sql, chain, {
                  epoch,
                  channel,
                  viewer: 'race_alice',
                  wallet: wallets.get('race_alice')!,
                });
              }
              return target.sendTransaction(...args);
            };
          }
          const value = Reflect.get(target, property, receiver);
          return typeof value === 'function' ? value.bind(target) : value;
        },
      });

      const outcome = await publishRoot(chain.publisherDeps({ solana: racing }), {
        epoch: epoch + RING,
        channel,
      });

      expect(raced).toBe(true);
      expect(outcome.outcome).toBe('published');
      expect(await paidFor(viewers)).toEqual({
        race_alice: { onChain: amounts['race_alice'], carried: 0n },
        race_bob: { onChain: 0n, carried: amounts['race_bob'] },
      });
    },
  );

  it.skipIf(skip)(
    'a racing claim padded with bytes the program ignores is still seen, and not paid twice',
    async () => {
      const channel = 'padded_chan';
      const epoch = 1_767_236_400;
      const viewers = ['padded_alice', 'padded_bob'];
      const { wallets, amounts } = await oldRootAndItsSuccessor(channel, epoch, viewers);
      let raced = false;
      const racing = new Proxy(chain.client, {
        get(target, property, receiver) {
          if (property === 'sendTransaction') {
            return async (...args: Parameters<SolanaClient['sendTransaction']>) => {
              if (!raced) {
                raced = true;
                await claimFromWallet(t.sql, chain, {
                  epoch,
                  channel,
                  viewer: 'padded_alice',
                  wallet: wallets.get('padded_alice')!,
                  trailingBytes: 8,
                });
              }
              return target.sendTransaction(...args);
            };
          }
          const value = Reflect.get(target, property, receiver);
          return typeof value === 'function' ? value.bind(target) : value;
        },
      });

      await publishRoot(chain.publisherDeps({ solana: racing }), { epoch: epoch + RING, channel });

      expect(raced).toBe(true);
      expect(await paidFor(viewers)).toEqual({
        padded_alice: { onChain: amounts['padded_alice'], carried: 0n },
        padded_bob: { onChain: 0n, carried: amounts['padded_bob'] },
      });
    },
  );

  it.skipIf(skip)(
    'an overwrite that never lands returns nothing while the old root stays claimable',
    async () => {
      const channel = 'stuck_chan';
      const epoch = 1_767_229_200;
      const viewers = ['stuck_alice', 'stuck_bob'];
      const { wallets, amounts } = await oldRootAndItsSuccessor(channel, epoch, viewers);
      // The publisher's fee payer is empty: the overwrite is refused before it can land, every time.
      chain.fundPublisher(1_000n);
      for (let attempt = 0; attempt < 2; attempt++) {
        await expect(publishRoot(chain.publisherDeps(), { epoch: epoch + RING, channel })).rejects.toThrow();
      }
      chain.fundPublisher(10_000_000_000n);

      // Nothing came back, and the API still lists the old leaf as Bob's to claim...
      const bob = await new ClaimsReader(t.sql).userClaims('stuck_bob');
      expect(bob.carried).toEqual([]);
      expect(bob.claims.map((c) => [c.epoch, c.channel])).toContainEqual([epoch, channel]);
      // ...because it is: both claim it on chain, and neither is paid a second time.
      for (const viewer of viewers) {
        await claimFromWallet(t.sql, chain, { epoch, channel, viewer, wallet: wallets.get(viewer)! });
      }
      expect(await paidFor(viewers)).toEqual({
        stuck_alice: { onChain: amounts['stuck_alice'], carried: 0n },
        stuck_bob: { onChain: amounts['stuck_bob'], carried: 0n },
      });
    },
  );

  it.skipIf(skip)('a later correct return after an earlier partial one is not dropped', async () => {
    const channel = 'later_chan';
    const epoch = 1_767_232_800;
    const viewers = ['later_alice', 'later_bob', 'later_carol'];
    const { wallets, amounts } = await oldRootAndItsSuccessor(channel, epoch, viewers);
    const claim = (viewer: string) =>
      claimFromWallet(t.sql, chain, { epoch, channel, viewer, wallet: wallets.get(viewer)! });
    await claim('later_alice');
    // A first overwrite that cannot land (an earlier, partial look at who claimed)...
    chain.fundPublisher(1_000n);
    await expect(publishRoot(chain.publisherDeps(), { epoch: epoch + RING, channel })).rejects.toThrow();
    chain.fundPublisher(10_000_000_000n);
    // ...while the old root is still claimable, Bob claims...
    await claim('later_bob');
    // ...then the overwrite lands: only Carol's leaf was never claimed, and it comes back once.
    expect((await publishRoot(chain.publisherDeps(), { epoch: epoch + RING, channel })).outcome).toBe(
      'published',
    );
    await publishRoot(chain.publisherDeps(), { epoch: epoch + RING, channel });

    expect(await paidFor(viewers)).toEqual({
      later_alice: { onChain: amounts['later_alice'], carried: 0n },
      later_bob: { onChain: amounts['later_bob'], carried: 0n },
      later_carol: { onChain: 0n, carried: amounts['later_carol'] },
    });
  });
});
