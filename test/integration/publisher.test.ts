import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SqsWorkQueue } from '../../layers/shared/src/adapters/aws/sqs-work-queue.ts';
import { createAttentionProgram } from '../../layers/shared/src/adapters/solana/attention-program.ts';
import { generateKeypairSigner } from '../../layers/shared/src/adapters/solana/keypair-signer.ts';
import { Web3SolanaClient } from '../../layers/shared/src/adapters/solana/web3-solana-client.ts';
import { userHash } from '../../layers/shared/src/core/attention/user-hash.ts';
import type { SignedTransaction, SolanaClient } from '../../layers/shared/src/ports/solana.ts';
import { SILENT_TELEMETRY } from '../../layers/shared/src/ports/telemetry.ts';
import { schedulePublications } from '../../layers/shared/src/services/attention/publication-scheduler.ts';
import { verifyPublication } from '../../layers/shared/src/services/attention/publication-verifier.ts';
import {
  type PublisherDeps,
  publishBatch,
  publishRoot,
} from '../../layers/shared/src/services/attention/publisher.ts';
import { markClaimed, setRoot, setUpAttentionProtocol } from '../../local/attention-program-accounts.ts';
import { type SqsService, startSqs } from '../../local/services.ts';
import { type SolanaRpcHandle, startSolanaRpc } from '../../local/solana-rpc.ts';
import { createTestDatabase, type TestDatabase } from '../fixtures/db.ts';
import { RecordingBus } from '../fixtures/event-bus.ts';
import { storeTree } from '../fixtures/trees.ts';

const EPOCH = 1_767_261_600; // 2026-01-01T10:00:00Z
const HOUR = 3600;

let t: TestDatabase;
let rpc: SolanaRpcHandle;
let sqs: SqsService;
let deps: PublisherDeps;
/** Every signature the publisher signed, to count how many landed. */
let signed: string[];

function recordingClient(inner: SolanaClient): SolanaClient {
  return new Proxy(inner, {
    get(target, property, receiver) {
      if (property === 'signTransaction') {
        return async (...args: Parameters<SolanaClient['signTransaction']>): Promise<SignedTransaction> => {
          const tx = await target.signTransaction(...args);
          signed.push(tx.signature);
          return tx;
        };
      }
      const value = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/** Distinct signatures the publisher signed that the chain holds. */
async function landed(): Promise<string[]> {
  const unique = [...new Set(signed)];
  const statuses = await deps.solana.getSignatureStatuses(unique);
  return unique.filter((_, i) => statuses[i] !== null && statuses[i]?.err === null);
}

beforeAll(async () => {
  t = await createTestDatabase();
  rpc = await startSolanaRpc({ slotIntervalMs: 0 });
  sqs = await startSqs();
  const { signer } = generateKeypairSigner();
  rpc.airdrop(signer.address, 10_000_000_000n);
  deps = {
    sql: t.sql,
    telemetry: SILENT_TELEMETRY,
    solana: recordingClient(
      new Web3SolanaClient({ url: rpc.url, pollIntervalMs: 20, requestTimeoutMs: 2000 }),
    ),
    signer,
    program: createAttentionProgram(),
    queue: new SqsWorkQueue({
      queueUrl: sqs.queues.publish.url,
      deadLetterQueueUrl: sqs.queues.publish.dlqUrl,
      client: sqs.client,
    }),
    mode: 'memo',
    mints: {},
  };
});

afterAll(async () => {
  await sqs.stop();
  await rpc.stop();
  await t.close();
});

beforeEach(async () => {
  signed = [];
  rpc.faults.clear();
  await t.sql`truncate attention.merkle_trees, attention.publications, attention.carried_balances, attention.carry_ledger`;
});

describe('root publisher, memo mode', () => {
  it('queues roots oldest first, at most 50 a tick, one message per root', async () => {
    for (let i = 0; i < 30; i++)
      await storeTree(t.sql, {
        epoch: EPOCH + (i % 3) * HOUR,
        channel: `chan_${String(i).padStart(3, '0')}`,
        users: ['alice_a'],
      });
    for (let i = 0; i < 30; i++)
      await storeTree(t.sql, {
        epoch: EPOCH + 5 * HOUR,
        channel: `chan_${String(i).padStart(3, '0')}`,
        users: ['alice_a'],
      });
    const first = await schedulePublications(deps);
    expect(first.queued).toHaveLength(50);
    expect(first.queued.filter((q) => q.epoch === EPOCH + 5 * HOUR)).toHaveLength(20);
    const second = await schedulePublications(deps);
    expect(second.queued).toHaveLength(10);
    expect((await schedulePublications(deps)).queued).toHaveLength(0);
  });

  it('publishes a root once and the chain holds its memo', async () => {
    const stored = await storeTree(t.sql, {
      epoch: EPOCH,
      channel: 'category:music:milo',
      users: ['alice_a', 'bob_b'],
    });
    const outcome = await publishRoot(deps, { epoch: EPOCH, channel: stored.channel });
    expect(outcome.outcome).toBe('published');
    expect(await publishRoot(deps, { epoch: EPOCH, channel: stored.channel })).toEqual({
      outcome: 'already-published',
    });
    const check = await verifyPublication(deps, EPOCH, stored.channel);
    expect(check).toMatchObject({ ok: true, status: 'published', onChain: { root: stored.root } });
    expect(await landed()).toHaveLength(1);
  });

  it.each([
    ['a timeout on send', 'sendTransaction', 'timeout'],
    ['a 429 on send', 'sendTransaction', '429'],
    ['an answer lost after the send landed', 'sendTransaction', 'drop-after-send'],
    ['blockhash not found', 'sendTransaction', 'blockhash-not-found'],
    ['a timeout reading the blockhash', 'getLatestBlockhash', 'timeout'],
    ['a 429 while confirming', 'getSignatureStatuses', '429'],
  ] as const)('publishes exactly once after %s', async (_name, method, fault) => {
    await storeTree(t.sql, { epoch: EPOCH, channel: 'chan_fault', users: ['alice_a'] });
    rpc.faults.next(method, fault, 1);
    for (let attempt = 0; attempt < 5; attempt++) {
      const outcome = await publishRoot(deps, { epoch: EPOCH, channel: 'chan_fault' }).catch(
        (e: unknown) => e,
      );
      if (!(outcome instanceof Error)) break;
    }
    const [row] = await t.sql`select status from attention.publications where channel = 'chan_fault'`;
    expect(row?.['status']).toBe('published');
    expect(await landed()).toHaveLength(1);
    expect((await verifyPublication(deps, EPOCH, 'chan_fault')).ok).toBe(true);
  });

  it('announces a published root once: the consumer first, the next scheduler tick if the bus refused', async () => {
    const stored = await storeTree(t.sql, { epoch: EPOCH, channel: 'chan_news', users: ['alice_a'] });
    const events = new RecordingBus(true);
    const message = { epoch: EPOCH, channel: stored.channel };
    const retried = await publishBatch({ ...deps, events }, [
      { messageId: 'm1', groupId: 'memo:chan_news', body: JSON.stringify(message) },
    ]);
    expect(retried).toEqual([]);
    expect(events.ofType('RootPublished')).toHaveLength(0);

    events.down = false;
    const tick = await schedulePublications({ ...deps, events });
    const next = await schedulePublications({ ...deps, events });

    expect(tick.announced).toBe(1);
    expect(next.announced).toBe(0);
    const [row] = await t.sql<{ signature: string; slot: string }[]>`
      select signature, slot::text from attention.publications where channel = 'chan_news'`;
    expect(events.ofType('RootPublished')).toEqual([
      {
        type: 'RootPublished',
        epoch: EPOCH,
        channel: 'chan_news',
        root: `0x${stored.root.replace(/^0x/, '')}`,
        signature: row!.signature,
        slot: Number(row!.slot),
        timestamp: expect.any(Number),
      },
    ]);
  });

  it('after a crash between recording and sending, sends the recorded transaction, not a new one', async () => {
    const stored = await storeTree(t.sql, { epoch: EPOCH, channel: 'chan_crash', users: ['alice_a'] });
    // The publisher signed and recorded, then died before sending.
    const { buildRootMemo, rootMemoInstruction } = await import(
      '../../layers/shared/src/core/solana/root-memo.ts'
    );
    const lifetime = await deps.solana.getLatestBlockhash();
    const tx = await deps.solana.signTransaction(
      [rootMemoInstruction(buildRootMemo({ channel: 'chan_crash', epoch: EPOCH, root: stored.root }))],
      deps.signer,
      lifetime,
    );
    await t.sql`update attention.publications set status = 'sent', signature = ${tx.signature},
      last_valid_block_height = ${lifetime.lastValidBlockHeight.toString()},
      signed_transaction = ${Buffer.from(tx.wireTransaction).toString('base64')}, recent_blockhash = ${lifetime.blockhash}
      where channel = 'chan_crash'`;
    const outcome = await publishRoot(deps, { epoch: EPOCH, channel: 'chan_crash' });
    expect(outcome).toMatchObject({ outcome: 'published', signature: tx.signature });
    expect(await landed()).toEqual([tx.signature]);
  });

  it('after a crash between sending and recording the result, finds the landed transaction and sends nothing', async () => {
    await storeTree(t.sql, { epoch: EPOCH, channel: 'chan_crash2', users: ['alice_a'] });
    rpc.faults.next('sendTransaction', 'drop-after-send', 1);
    await expect(publishRoot(deps, { epoch: EPOCH, channel: 'chan_crash2' })).rejects.toThrow();
    const sendsBefore = rpc.callCount('sendTransaction');
    const outcome = await publishRoot(deps, { epoch: EPOCH, channel: 'chan_crash2' });
    expect(outcome.outcome).toBe('published');
    expect(rpc.callCount('sendTransaction')).toBe(sendsBefore);
    expect(await landed()).toHaveLength(1);
  });

  it('returns nothing of a published memo root, however many epochs follow it, and all of one whose backlog expired unsent', async () => {
    await storeTree(t.sql, { epoch: EPOCH, channel: 'memo_ring', users: ['alice_a'], amount: 100n });
    await storeTree(t.sql, {
      epoch: EPOCH + 10 * HOUR,
      channel: 'memo_ring',
      users: ['bob_b'],
      amount: 100n,
    });
    for (const epoch of [EPOCH, EPOCH + 10 * HOUR]) {
      expect((await publishRoot(deps, { epoch, channel: 'memo_ring' })).outcome).toBe('published');
    }
    for (let i = 0; i < 11; i++) {
      await storeTree(t.sql, {
        epoch: EPOCH + (20 + i) * HOUR,
        channel: 'memo_backlog',
        users: ['carol_c'],
        amount: 7n,
      });
    }

    const tick = await schedulePublications(deps);

    expect(tick.expired).toEqual([{ epoch: EPOCH + 20 * HOUR, channel: 'memo_backlog' }]);
    const balances = await t.sql`select user_hash, amount::text from attention.carried_balances`;
    expect(balances.map((b) => [b['user_hash'], b['amount']])).toEqual([[userHash('carol_c'), '7']]);
    const ledger = await t.sql`select source_key from attention.carry_ledger`;
    expect(ledger.map((l) => l['source_key'])).toEqual([`return:${EPOCH + 20 * HOUR}:memo_backlog:0`]);
  });

  it('signs again once the recorded blockhash has expired unseen', async () => {
    const stored = await storeTree(t.sql, { epoch: EPOCH, channel: 'chan_expired', users: ['alice_a'] });
    const { buildRootMemo, rootMemoInstruction } = await import(
      '../../layers/shared/src/core/solana/root-memo.ts'
    );
    const lifetime = await deps.solana.getLatestBlockhash();
    const stale = await deps.solana.signTransaction(
      [rootMemoInstruction(buildRootMemo({ channel: 'chan_expired', epoch: EPOCH, root: stored.root }))],
      deps.signer,
      lifetime,
    );
    await t.sql`update attention.publications set status = 'sent', signature = ${stale.signature},
      last_valid_block_height = ${lifetime.lastValidBlockHeight.toString()},
      signed_transaction = ${Buffer.from(stale.wireTransaction).toString('base64')} where channel = 'chan_expired'`;
    rpc.advanceSlots(400);
    const outcome = await publishRoot(deps, { epoch: EPOCH, channel: 'chan_expired' });
    expect(outcome.outcome).toBe('published');
    expect((outcome as { signature: string }).signature).not.toBe(stale.signature);
    expect(await landed()).toHaveLength(1);
  });
});

describe('root publisher, program mode (the attention program run by the local RPC)', () => {
  let mint: string;
  beforeAll(async () => {
    mint = (await setUpAttentionProtocol(rpc, { publisher: deps.signer.address })).mint;
  });
  const program = () => ({
    ...deps,
    mode: 'program' as const,
    mints: { MILO: { mint, epochUnit: 'hours' as const } },
  });

  it('marks a root already in its slot published without sending anything', async () => {
    const stored = await storeTree(t.sql, {
      epoch: EPOCH,
      channel: 'prog_done',
      users: ['alice_a'],
      mode: 'program',
      mint,
    });
    setRoot(rpc, { mint, channel: 'prog_done' }, BigInt(EPOCH / HOUR), Buffer.from(stored.root, 'hex'));
    const sends = rpc.callCount('sendTransaction');
    expect(await publishRoot(program(), { epoch: EPOCH, channel: 'prog_done' })).toEqual({
      outcome: 'already-published',
    });
    expect(rpc.callCount('sendTransaction')).toBe(sends);
    expect((await verifyPublication(program(), EPOCH, 'prog_done')).ok).toBe(true);
  });

  it('expires a root whose slot holds a newer epoch and returns all its amounts to carried balances', async () => {
    await storeTree(t.sql, {
      epoch: EPOCH,
      channel: 'prog_old',
      users: ['alice_a', 'bob_b'],
      amount: 500n,
      mode: 'program',
      mint,
    });
    setRoot(rpc, { mint, channel: 'prog_old' }, BigInt(EPOCH / HOUR + 10), new Uint8Array(32).fill(7));
    expect((await publishRoot(program(), { epoch: EPOCH, channel: 'prog_old' })).outcome).toBe('expired');
    const balances =
      await t.sql`select user_hash, amount::text from attention.carried_balances order by user_hash`;
    expect(balances.map((b) => b['amount'])).toEqual(['500', '500']);
    // Handling the message again returns nothing twice.
    await publishRoot(program(), { epoch: EPOCH, channel: 'prog_old' });
    const again = await t.sql`select sum(amount)::text as total from attention.carried_balances`;
    expect(again[0]?.['total']).toBe('1000');
  });

  it('returns the unclaimed leaves of the root it overwrites once the overwrite has landed, each once', async () => {
    const old = await storeTree(t.sql, {
      epoch: EPOCH,
      channel: 'prog_ring',
      users: ['alice_a', 'bob_b', 'carol_c'],
      amount: 100n,
      mode: 'program',
      mint,
    });
    expect((await publishRoot(program(), { epoch: EPOCH, channel: 'prog_ring' })).outcome).toBe('published');
    expect((await verifyPublication(program(), EPOCH, 'prog_ring')).onChain?.root).toBe(old.root);
    markClaimed(rpc, { mint, channel: 'prog_ring' }, BigInt(EPOCH / HOUR), 1);
    await storeTree(t.sql, {
      epoch: EPOCH + 10 * HOUR,
      channel: 'prog_ring',
      users: ['dave_d'],
      mode: 'program',
      mint,
    });

    const outcome = await publishRoot(program(), { epoch: EPOCH + 10 * HOUR, channel: 'prog_ring' });
    await publishRoot(program(), { epoch: EPOCH + 10 * HOUR, channel: 'prog_ring' });

    expect(outcome.outcome).toBe('published');
    const balances =
      await t.sql`select user_hash, amount::text from attention.carried_balances order by user_hash`;
    expect(balances.map((b) => [b['user_hash'], b['amount']])).toEqual(
      [
        [userHash('alice_a'), '100'],
        [userHash('carol_c'), '100'],
      ].sort(),
    );
    const ledger = await t.sql`select source_key from attention.carry_ledger order by source_key`;
    expect(ledger.map((l) => l['source_key'])).toEqual([
      `return:${EPOCH}:prog_ring:0`,
      `return:${EPOCH}:prog_ring:2`,
    ]);
    const [replaced] = await t.sql`select returned_at is not null as returned from attention.publications
      where epoch = ${EPOCH} and channel = 'prog_ring'`;
    expect(replaced?.['returned']).toBe(true);
  });

  it('refuses a mint whose slots hold second-based epochs in hour mode', async () => {
    const stored = await storeTree(t.sql, {
      epoch: EPOCH,
      channel: 'prog_secs',
      users: ['alice_a'],
      mode: 'program',
      mint,
    });
    setRoot(rpc, { mint, channel: 'prog_secs' }, BigInt(EPOCH - HOUR), Buffer.from(stored.root, 'hex'));
    await expect(publishRoot(program(), { epoch: EPOCH, channel: 'prog_secs' })).rejects.toThrow(
      /second-based epoch/,
    );
  });
});
