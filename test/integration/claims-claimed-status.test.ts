import { randomBytes } from 'node:crypto';
import { Keypair } from '@solana/web3.js';
import bs58 from 'bs58';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAttentionProgram } from '../../layers/shared/src/adapters/solana/attention-program.ts';
import { Web3SolanaClient } from '../../layers/shared/src/adapters/solana/web3-solana-client.ts';
import { SILENT_TELEMETRY } from '../../layers/shared/src/ports/telemetry.ts';
import { ChannelStateClaimStatus } from '../../layers/shared/src/services/attention/claim-status.ts';
import { ClaimsReader } from '../../layers/shared/src/services/attention/claims.ts';
import { writeIngestBatch } from '../../layers/shared/src/services/attention/ingest-writer.ts';
import { finalizeEpoch } from '../../layers/shared/src/services/attention/sealing.ts';
import { bindWalletDirect } from '../../layers/shared/src/services/attention/wallet-binding.ts';
import { markClaimed, setRoot } from '../../local/attention-program-accounts.ts';
import { type SolanaRpcHandle, startSolanaRpc } from '../../local/solana-rpc.ts';
import { testAttentionSettings } from '../fixtures/attention-settings.ts';
import { createTestDatabase, type TestDatabase } from '../fixtures/db.ts';
import { BASE_EPOCH_MS, HOUR_MS, makeEvent } from '../fixtures/events.ts';
import { recordingTelemetry } from '../fixtures/telemetry.ts';

const EPOCH = BASE_EPOCH_MS / 1000;
const MINT = Keypair.generate().publicKey.toBase58();
const SETTINGS = testAttentionSettings();

let t: TestDatabase;
let rpc: SolanaRpcHandle;
let solana: Web3SolanaClient;
const ref = { mint: MINT, channel: 'music_chan' };

const reader = () =>
  new ClaimsReader(t.sql, {
    claimStatus: new ChannelStateClaimStatus({
      solana,
      program: createAttentionProgram(),
      mints: { MILO: { mint: MINT, epochUnit: 'hours' } },
    }),
    telemetry: SILENT_TELEMETRY,
  });

beforeAll(async () => {
  t = await createTestDatabase();
  rpc = await startSolanaRpc({ slotIntervalMs: 0 });
  solana = new Web3SolanaClient({ url: rpc.url, pollIntervalMs: 20, requestTimeoutMs: 2000 });
  await t.sql`insert into attention.channel_config (channel, token_group, category_override) values ('music_chan', 'MILO', 'music')`;
  await writeIngestBatch(
    t.sql,
    ['alice_1', 'bob_2', 'carol_3'].map((user, i) =>
      makeEvent({ channel: 'music_chan', user, ts: BASE_EPOCH_MS + 1000 * (i + 1) }),
    ),
    new Date(BASE_EPOCH_MS + 30 * 60_000),
  );
  for (const user of ['alice_1', 'bob_2', 'carol_3'])
    await bindWalletDirect(t.sql, user, bs58.encode(randomBytes(32)), new Date(BASE_EPOCH_MS));
  await finalizeEpoch(
    { telemetry: SILENT_TELEMETRY, sql: t.sql, settings: SETTINGS },
    EPOCH,
    new Date(BASE_EPOCH_MS + HOUR_MS + 600_000),
  );
  // The channel's root published in program mode: its ChannelState slot holds it.
  const [row] = await t.sql<{ root: string }[]>`
    update attention.publications set mode = 'program', mint = ${MINT}, status = 'published', published_at = now()
    where epoch = ${EPOCH} and channel = 'music_chan' returning root`;
  setRoot(rpc, ref, BigInt(EPOCH / 3600), Buffer.from(row!.root.replace(/^0x/, ''), 'hex'));
});

afterAll(async () => {
  await rpc.stop();
  await t.close();
});

describe('GET /claims/{user} and the claimed bitmap on chain', () => {
  it('marks a program-mode leaf unclaimed while its bit is clear, and a memo-mode one unknown', async () => {
    const view = await reader().userClaims('alice_1');
    const byChannel = Object.fromEntries(view.claims.map((c) => [c.channel, c.claimStatus]));
    expect(byChannel['music_chan']).toBe('unclaimed');
    expect(byChannel['category:music:milo']).toBe('unknown');
    expect(view.claimed).toEqual([]);
  });

  it('leaves out the leaf whose bit the program set, and lists it as claimed', async () => {
    const before = await reader().userClaims('bob_2');
    const leaf = before.claims.find((c) => c.channel === 'music_chan')!;
    markClaimed(rpc, ref, BigInt(EPOCH / 3600), leaf.index);

    const after = await reader().userClaims('bob_2');
    const others = await reader().userClaims('carol_3');

    expect(after.claims.map((c) => c.channel)).not.toContain('music_chan');
    expect(after.claimed).toEqual([
      { epoch: EPOCH, channel: 'music_chan', index: leaf.index, amount: leaf.amount },
    ]);
    expect(others.claims.find((c) => c.channel === 'music_chan')?.claimStatus).toBe('unclaimed');
  });

  it('says nothing (unknown), not unclaimed, when the slot holds another root or nothing landed', async () => {
    const status = new ChannelStateClaimStatus({
      solana,
      program: createAttentionProgram(),
      mints: { MILO: { mint: MINT, epochUnit: 'hours' } },
    });
    const asked = (root: string, epoch = EPOCH) =>
      status.claimedTest({
        epoch,
        channel: 'music_chan',
        tokenGroup: 'MILO',
        root,
        publication: { status: 'published', mode: 'program', mint: MINT },
      });
    const [row] = await t.sql<{ root: string }[]>`
      select root from attention.publications where epoch = ${EPOCH} and channel = 'music_chan'`;

    expect(await asked(row!.root)).toBeTypeOf('function');
    expect(await asked('ab'.repeat(32))).toBeUndefined();
    expect(await asked(row!.root, EPOCH + 3600)).toBeUndefined();
  });

  it('still answers, every leaf unknown, when the RPC is down', async () => {
    const recorder = recordingTelemetry();
    const down = new ClaimsReader(t.sql, {
      claimStatus: new ChannelStateClaimStatus({
        solana: { getAccount: () => Promise.reject(new Error('connect ECONNREFUSED')) },
        program: createAttentionProgram(),
        mints: { MILO: { mint: MINT, epochUnit: 'hours' } },
      }),
      telemetry: recorder.telemetry,
    });
    const view = await down.userClaims('carol_3');
    expect(view.claims.length).toBeGreaterThan(0);
    expect(view.claims.every((c) => c.claimStatus === 'unknown')).toBe(true);
    // And says so, naming the tree whose status it could not read.
    expect(recorder.lines).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        message: 'claimed status unavailable',
        fields: expect.objectContaining({ channel: expect.any(String), epoch: expect.any(Number) }),
      }),
    );
  });
});
