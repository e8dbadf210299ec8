/**
 * POST /claims/{user}/transactions through the ClaimsApi handler, in program mode on the local
 * chain (the attention program's stand-in): the viewer signs in with Twitch, gets unsigned
 * claim_channel_open transactions for the wallet bound, decodes them, signs and sends them, and
 * the wallet's token balance grows by the leaves' amounts.
 */

import { createHash } from 'node:crypto';
import { Keypair, PublicKey, Transaction } from '@solana/web3.js';
import bs58 from 'bs58';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HttpEvent, HttpResult } from '../../functions/api/http.ts';
import type { Platform } from '../../functions/platform.ts';
import { userHash } from '../../layers/shared/src/core/attention/user-hash.ts';
import { verifyClaim } from '../../layers/shared/src/core/merkle/index.ts';
import { decodeClaimChannelOpenData } from '../../layers/shared/src/core/solana/attention-instruction-data.ts';
import {
  channelSlotStanding,
  decodeChannelState,
} from '../../layers/shared/src/core/solana/channel-state.ts';
import {
  ASSOCIATED_TOKEN_PROGRAM_ID,
  SYSTEM_PROGRAM_ID,
  TOKEN_2022_PROGRAM_ID,
} from '../../layers/shared/src/core/solana/program-ids.ts';
import { SILENT_TELEMETRY } from '../../layers/shared/src/ports/telemetry.ts';
import { writeIngestBatch } from '../../layers/shared/src/services/attention/ingest-writer.ts';
import { publishRoot } from '../../layers/shared/src/services/attention/publisher.ts';
import { finalizeEpoch } from '../../layers/shared/src/services/attention/sealing.ts';
import { bindWalletDirect } from '../../layers/shared/src/services/attention/wallet-binding.ts';
import { associatedTokenAddress } from '../../local/token-2022.ts';
import { type AttentionChain, startAttentionChain, tokenBalance } from '../fixtures/attention-chain.ts';
import { makeEvent } from '../fixtures/events.ts';
import { makeHttpEvent } from '../fixtures/http-event.ts';
import { platformFromEnv } from '../fixtures/platform.ts';
import type { ViewerCredential } from '../fixtures/wallet-binding-client.ts';
import { startWalletsApi, type WalletsApiUnderTest } from '../fixtures/wallets-api.ts';

const EPOCH = 1_767_301_200;
const CHANNELS = ['tx_chan_a', 'tx_chan_b', 'tx_chan_c', 'tx_chan_d', 'tx_chan_e', 'tx_chan_f'];
const PACKET_LIMIT = 1232;

let api: WalletsApiUnderTest;
let chain: AttentionChain;
let claims: (event: HttpEvent) => Promise<HttpResult>;
let platform: Platform;
let alice: ViewerCredential;
let bob: ViewerCredential;
const aliceWallet = Keypair.generate();

interface ClaimRef {
  epoch: number;
  channel: string;
  tokenGroup: string;
  index: number;
  amount: string;
}
interface TransactionsBody {
  userHash: string;
  wallet: string;
  blockhash: string;
  lastValidBlockHeight: string;
  transactions: { transaction: string; claims: ClaimRef[] }[];
  skipped: (ClaimRef & { reason: string })[];
}

function requestTransactions(user: string, session?: string): Promise<HttpResult> {
  return claims({
    ...makeHttpEvent({
      method: 'POST',
      path: `/claims/${user}/transactions`,
      pathParameters: { user },
      ...(session === undefined ? {} : { headers: { authorization: `Bearer ${session}` } }),
    }),
    routeKey: 'POST /claims/{user}/transactions',
  });
}

let claimsEntry: typeof import('../../functions/api/claims/index.ts')['handler'] | undefined;
const platforms: Platform[] = [];

/** The settings, and the claims function on a platform that reads them, as a new container would. */
function useEnv(env: Record<string, string>): void {
  Object.assign(process.env, env);
  if (claimsEntry === undefined) return;
  platform = platformFromEnv(api.parts);
  platforms.push(platform);
  claims = claimsEntry.on(platform);
}

beforeAll(async () => {
  api = await startWalletsApi({ deployment: { stage: 'prod', apiOrigin: 'https://api.example' } });
  chain = await startAttentionChain(api.t.sql);
  useEnv({
    PUBLISH_MODE: 'program',
    SOLANA_RPC_URL: chain.rpc.url,
    ATTENTION_PROGRAM_ID: chain.protocol.programId,
    TOKEN_GROUP_MINTS: JSON.stringify({ MILO: { mint: chain.protocol.mint } }),
  });
  claimsEntry = (await import('../../functions/api/claims/index.ts')).handler;
  useEnv({});

  // Alice watches six channels with three others each, her wallet bound before the seal.
  const sql = api.t.sql;
  const sealedAt = new Date((EPOCH + 3900) * 1000);
  chain.rpc.airdrop(aliceWallet.publicKey.toBase58(), 1_000_000_000n);
  await bindWalletDirect(sql, 'tx_alice', aliceWallet.publicKey.toBase58(), new Date(EPOCH * 1000));
  for (const channel of CHANNELS) {
    await sql`insert into attention.channel_config (channel, token_group) values (${channel}, 'MILO')`;
  }
  await writeIngestBatch(
    sql,
    CHANNELS.flatMap((channel, c) =>
      ['tx_alice', 'tx_fill_1', 'tx_fill_2', 'tx_fill_3'].map((user, i) =>
        makeEvent({ channel, user, kind: 'bits', amount: 100 * (c + 1) + i, ts: EPOCH * 1000 + 1000 + i }),
      ),
    ),
    sealedAt,
  );
  await finalizeEpoch({ telemetry: SILENT_TELEMETRY, sql, settings: chain.settings }, EPOCH, sealedAt);
  for (const channel of CHANNELS) {
    expect((await publishRoot(chain.publisherDeps(), { epoch: EPOCH, channel })).outcome).toBe('published');
  }
  alice = await api.client.signIn('tx_alice');
  bob = await api.client.signIn('tx_bob');
});

afterAll(async () => {
  for (const opened of platforms) await opened.close();
  await chain.stop();
  await api.close();
});

describe('POST /claims/{user}/transactions', () => {
  it("returns the signed-in viewer's published leaves as unsigned claim_channel_open transactions whose proofs verify against the roots on chain, packed into as few as fit", async () => {
    const result = await requestTransactions('tx_alice', alice.value);
    expect(result.statusCode).toBe(200);
    const body = JSON.parse(result.body) as TransactionsBody;
    const wallet = aliceWallet.publicKey.toBase58();
    expect(body).toMatchObject({ userHash: userHash('tx_alice'), wallet });
    expect(body.transactions.flatMap((t) => t.claims.map((c) => c.channel)).sort()).toEqual(CHANNELS);
    // The category tree of the epoch holds her too, but nobody published its root.
    expect(body.skipped.every((s) => /not on chain yet/.test(s.reason))).toBe(true);

    const program = chain.program;
    const mint = chain.protocol.mint;
    const protocolState = program.protocolStateAddress(mint);
    const decoded = body.transactions.map((t) => Transaction.from(Buffer.from(t.transaction, 'base64')));
    expect(decoded.length).toBeGreaterThan(1);
    for (const [i, transaction] of decoded.entries()) {
      const wire = Buffer.from(body.transactions[i]?.transaction ?? '', 'base64');
      expect(wire.length).toBeLessThanOrEqual(PACKET_LIMIT);
      expect(transaction.feePayer?.toBase58()).toBe(wallet);
      expect(transaction.recentBlockhash).toBe(body.blockhash);
      expect(transaction.signatures.map((s) => s.signature)).toEqual([null]);
      for (const [j, instruction] of transaction.instructions.entries()) {
        const claim = body.transactions[i]?.claims[j] as ClaimRef;
        expect(instruction.programId.toBase58()).toBe(program.programAddress);
        expect(Buffer.from(instruction.data.subarray(0, 8)).toString('hex')).toBe(
          createHash('sha256').update('global:claim_channel_open').digest().subarray(0, 8).toString('hex'),
        );
        expect(instruction.keys.map((k) => [k.pubkey.toBase58(), k.isSigner, k.isWritable])).toEqual([
          [wallet, true, true],
          [protocolState, false, true],
          [program.channelStateAddress(mint, claim.channel), false, true],
          [mint, false, false],
          [associatedTokenAddress(protocolState, mint), false, true],
          [associatedTokenAddress(wallet, mint), false, true],
          [TOKEN_2022_PROGRAM_ID, false, false],
          [ASSOCIATED_TOKEN_PROGRAM_ID, false, false],
          [SYSTEM_PROGRAM_ID, false, false],
        ]);
        const args = decodeClaimChannelOpenData(new Uint8Array(instruction.data));
        expect(args).toMatchObject({
          channel: claim.channel,
          epoch: BigInt(EPOCH / 3600),
          index: claim.index,
          amount: BigInt(claim.amount),
          id: userHash('tx_alice'),
        });
        const state = await chain.client.getAccount(program.channelStateAddress(mint, claim.channel));
        const standing = channelSlotStanding(decodeChannelState(state?.data ?? new Uint8Array()), args.epoch);
        if (standing.kind !== 'present') throw new Error(`no root on chain for ${claim.channel}`);
        const leaf = { claimer: bs58.decode(wallet), index: args.index, amount: args.amount, id: args.id };
        expect(verifyClaim(standing.slot.root, leaf, args.proof, { format: 'claim-v1' })).toBe(true);
      }
      // As few as fit: the next transaction's first claim would not have fit in this one.
      const next = decoded[i + 1];
      if (next !== undefined) {
        const joined = new Transaction({ feePayer: new PublicKey(wallet), recentBlockhash: body.blockhash });
        joined.add(...transaction.instructions, next.instructions[0] as (typeof next.instructions)[number]);
        expect(() => joined.serialize({ requireAllSignatures: false, verifySignatures: false })).toThrow();
      }
    }
  });

  it("is signed and sent by the viewer's wallet: the token account is created and grows by the amounts, and the leaves are claimed", async () => {
    const wallet = aliceWallet.publicKey.toBase58();
    expect(await chain.client.getAccount(associatedTokenAddress(wallet, chain.protocol.mint))).toBeNull();
    const body = JSON.parse((await requestTransactions('tx_alice', alice.value)).body) as TransactionsBody;
    const total = body.transactions.flatMap((t) => t.claims).reduce((sum, c) => sum + BigInt(c.amount), 0n);
    expect(total).toBeGreaterThan(0n);
    for (const { transaction } of body.transactions) {
      const signed = Transaction.from(Buffer.from(transaction, 'base64'));
      signed.partialSign(aliceWallet);
      const signature = await chain.client.sendTransaction({
        signature: bs58.encode(signed.signature as Buffer),
        wireTransaction: new Uint8Array(signed.serialize()),
        lifetime: { blockhash: body.blockhash, lastValidBlockHeight: BigInt(body.lastValidBlockHeight) },
      });
      await chain.client.confirmTransaction(signature, BigInt(body.lastValidBlockHeight));
    }
    expect(await tokenBalance(chain, wallet)).toBe(total);

    const again = JSON.parse((await requestTransactions('tx_alice', alice.value)).body) as TransactionsBody;
    expect(again.transactions).toEqual([]);
  });

  it("refuses a stranger's session, and a request without one", async () => {
    const stranger = await requestTransactions('tx_alice', bob.value);
    expect(stranger.statusCode).toBe(403);
    expect(stranger.body).not.toContain(aliceWallet.publicKey.toBase58());
    const byHash = await requestTransactions(userHash('tx_alice'), bob.value);
    expect(byHash.statusCode).toBe(403);
    expect((await requestTransactions('tx_alice')).statusCode).toBe(401);
  });

  it('answers 409 naming the program when no wallet is bound', async () => {
    const result = await requestTransactions('tx_bob', bob.value);
    expect(result.statusCode).toBe(409);
    expect(result.body).toMatch(/no wallet is bound/);
  });

  it('answers 409 in memo mode: claims need the attention program', async () => {
    useEnv({ PUBLISH_MODE: 'memo' });
    try {
      const result = await requestTransactions('tx_alice', alice.value);
      expect(result.statusCode).toBe(409);
      expect(result.body).toMatch(/claims need the attention program/);
    } finally {
      useEnv({ PUBLISH_MODE: 'program' });
    }
  });
});
