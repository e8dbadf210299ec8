import {
  Keypair,
  MessageV0,
  PublicKey,
  Transaction,
  TransactionInstruction,
  VersionedTransaction,
} from '@solana/web3.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAttentionProgram } from '../../layers/shared/src/adapters/solana/attention-program.ts';
import {
  createKeypairSigner,
  generateKeypairSigner,
} from '../../layers/shared/src/adapters/solana/keypair-signer.ts';
import { Web3SolanaClient } from '../../layers/shared/src/adapters/solana/web3-solana-client.ts';
import {
  channelSlotStanding,
  decodeChannelState,
  emptyChannelState,
  encodeChannelState,
  isClaimed,
  unclaimedIndexes,
  withClaimed,
} from '../../layers/shared/src/core/solana/channel-state.ts';
import { MEMO_PROGRAM_ID } from '../../layers/shared/src/core/solana/program-ids.ts';
import {
  buildRootMemo,
  parseRootMemo,
  rootMemoInstruction,
} from '../../layers/shared/src/core/solana/root-memo.ts';
import { streamerKey } from '../../layers/shared/src/core/solana/streamer-key.ts';
import { ChainError } from '../../layers/shared/src/errors.ts';
import type { SolanaSigner } from '../../layers/shared/src/ports/solana.ts';
import { markClaimed, readChannelState, setRoot } from '../../local/attention-program-accounts.ts';
import { type SolanaRpcHandle, startSolanaRpc } from '../../local/solana-rpc.ts';

const ROOT = 'ab'.repeat(32);
const LAMPORTS_PER_SOL = 1_000_000_000n;

let rpc: SolanaRpcHandle;
let client: Web3SolanaClient;
let publisher: SolanaSigner;

async function fundedSigner(): Promise<SolanaSigner> {
  const { signer } = generateKeypairSigner();
  const signature = await client.requestAirdrop(signer.address, 2n * LAMPORTS_PER_SOL);
  await client.confirmTransaction(signature, (await client.getLatestBlockhash()).lastValidBlockHeight);
  return signer;
}

function chainError(kind: string) {
  return expect.objectContaining({ name: 'ChainError', kind });
}

beforeAll(async () => {
  rpc = await startSolanaRpc({ slotIntervalMs: 0, blockhashLifetimeSlots: 5 });
  client = new Web3SolanaClient({
    url: rpc.url,
    pollIntervalMs: 20,
    requestTimeoutMs: 2_000,
    confirmTimeoutMs: 10_000,
  });
  publisher = await fundedSigner();
});

afterAll(async () => {
  await rpc.stop();
});

describe('the local Solana RPC through the web3.js adapter', () => {
  it('funds a keypair generated at run time by airdrop', async () => {
    expect(await client.getBalance(publisher.address)).toBe(2n * LAMPORTS_PER_SOL);
  });

  it('lands a memo transaction, confirms it, and reads the memo back from the chain', async () => {
    const memo = buildRootMemo({ channel: 'category:music:milo', epoch: 491_000n, root: ROOT });

    const confirmed = await client.sendAndConfirmTransaction([rootMemoInstruction(memo)], publisher);

    const record = await client.getTransaction(confirmed.signature);
    expect(record?.slot).toBe(confirmed.slot);
    expect(record?.err).toBeNull();
    expect(record?.fee).toBe(5000n);
    expect(record?.feePayer).toBe(publisher.address);
    const memoInstruction = record?.instructions.find((ix) => ix.programAddress === MEMO_PROGRAM_ID);
    expect(parseRootMemo(new TextDecoder().decode(memoInstruction?.data))).toEqual({
      channel: 'category:music:milo',
      epoch: 491_000n,
      root: ROOT,
    });
    expect(record?.logMessages).toContain(`Program log: ${memo}`);
    const [status] = await client.getSignatureStatuses([confirmed.signature]);
    expect(status).toMatchObject({ slot: confirmed.slot, confirmationStatus: 'confirmed', err: null });
  });

  it('charges the configured priority fee and reports it in getTransaction and getRecentPrioritizationFees', async () => {
    const confirmed = await client.sendAndConfirmTransaction(
      [rootMemoInstruction({ channel: 'xqc', epoch: 1n, root: ROOT })],
      publisher,
      { computeUnitPriceMicroLamports: 1_000_000n, computeUnitLimit: 10_000 },
    );

    expect((await client.getTransaction(confirmed.signature))?.fee).toBe(5000n + 10_000n);
    const fees = await client.getRecentPrioritizationFees([publisher.address]);
    expect(fees).toContainEqual({ slot: confirmed.slot, microLamportsPerComputeUnit: 1_000_000n });
  });

  it('quotes the same fee with getFeeForMessage as the chain then charges', async () => {
    const lifetime = await client.getLatestBlockhash();
    const signed = await client.signTransaction(
      [rootMemoInstruction({ channel: 'xqc', epoch: 2n, root: ROOT })],
      publisher,
      lifetime,
      { computeUnitPriceMicroLamports: 3_000n },
    );
    const quoted = await client.getFeeForTransaction(signed);

    await client.sendTransaction(signed);
    await client.confirmTransaction(signed.signature, lifetime.lastValidBlockHeight);

    expect((await client.getTransaction(signed.signature))?.fee).toBe(quoted);
  });

  it('knows the signature of a signed transaction before sending it, and reports it unknown until sent', async () => {
    const lifetime = await client.getLatestBlockhash();
    const signed = await client.signTransaction(
      [rootMemoInstruction({ channel: 'xqc', epoch: 3n, root: ROOT })],
      publisher,
      lifetime,
    );

    expect(await client.getSignatureStatus(signed.signature)).toBeNull();
    expect(await client.sendTransaction(signed)).toBe(signed.signature);
    await client.confirmTransaction(signed.signature, lifetime.lastValidBlockHeight);
    expect((await client.getSignatureStatus(signed.signature))?.err).toBeNull();
  });

  it('accepts a resend of a transaction that already landed and returns the same signature', async () => {
    const lifetime = await client.getLatestBlockhash();
    const signed = await client.signTransaction(
      [rootMemoInstruction({ channel: 'xqc', epoch: 4n, root: ROOT })],
      publisher,
      lifetime,
    );
    await client.sendTransaction(signed);

    expect(await client.sendTransaction(signed)).toBe(signed.signature);
    expect(rpc.transaction(signed.signature)?.slot).toBeDefined();
  });

  it('rejects a transaction whose blockhash has expired, as a blockhash error', async () => {
    const lifetime = await client.getLatestBlockhash();
    const signed = await client.signTransaction(
      [rootMemoInstruction({ channel: 'xqc', epoch: 5n, root: ROOT })],
      publisher,
      lifetime,
    );
    rpc.advanceSlots(6);

    await expect(client.sendTransaction(signed)).rejects.toEqual(chainError('blockhash'));
    expect(await client.getSignatureStatus(signed.signature)).toBeNull();
    expect(await client.getFeeForTransaction(signed)).toBeNull();
  });

  it('gives up confirming a transaction the leader dropped once the block height passes its last valid height', async () => {
    const lifetime = await client.getLatestBlockhash();
    const signed = await client.signTransaction(
      [rootMemoInstruction({ channel: 'xqc', epoch: 6n, root: ROOT })],
      publisher,
      lifetime,
    );
    rpc.advanceSlots(6);
    await client.sendTransaction(signed, { skipPreflight: true });

    await expect(client.confirmTransaction(signed.signature, lifetime.lastValidBlockHeight)).rejects.toEqual(
      chainError('blockhash'),
    );
    expect(rpc.transaction(signed.signature)).toBeUndefined();
  });

  it('reports a transaction a program refuses as an execution error with the program logs', async () => {
    const refused = { programAddress: MEMO_PROGRAM_ID, accounts: [], data: Uint8Array.of(0xff, 0xfe) };

    const error = await client.sendAndConfirmTransaction([refused], publisher).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ChainError);
    expect(error).toMatchObject({ kind: 'execution', retryable: false });
    expect(JSON.stringify((error as ChainError).details)).toContain('invalid utf-8');
  });

  it('records a refused transaction sent without preflight as landed with its error and fee', async () => {
    const lifetime = await client.getLatestBlockhash();
    const signed = await client.signTransaction(
      [{ programAddress: MEMO_PROGRAM_ID, accounts: [], data: Uint8Array.of(0xff) }],
      publisher,
      lifetime,
    );
    await client.sendTransaction(signed, { skipPreflight: true });

    await expect(client.confirmTransaction(signed.signature, lifetime.lastValidBlockHeight)).rejects.toEqual(
      chainError('execution'),
    );
    const record = await client.getTransaction(signed.signature);
    expect(record?.err).toEqual({ InstructionError: [0, 'ProgramFailedToComplete'] });
    expect(record?.fee).toBe(5000n);
  });

  it('reports finalized once the transaction is deeper than the finalization depth', async () => {
    const confirmed = await client.sendAndConfirmTransaction(
      [rootMemoInstruction({ channel: 'xqc', epoch: 7n, root: ROOT })],
      publisher,
    );
    rpc.advanceSlots(32);

    expect((await client.getSignatureStatus(confirmed.signature))?.confirmationStatus).toBe('finalized');
  });

  it('reads back a ChannelState account written with setAccount, laid out as the program would', async () => {
    const program = createAttentionProgram();
    const mint = Keypair.generate().publicKey.toBase58();
    const channelState = program.channelStateAddress(mint, 'Lacy');
    const fresh = emptyChannelState({ mint: new PublicKey(mint).toBytes(), streamer: streamerKey('lacy') });
    const slots = fresh.slots.map((slot, i) =>
      i === 3
        ? {
            epoch: 491_003n,
            root: Buffer.from(ROOT, 'hex'),
            claimCount: 1,
            claimedBitmap: withClaimed(slot.claimedBitmap, 7),
          }
        : slot,
    );
    rpc.setAccount(channelState, {
      owner: program.programAddress,
      data: encodeChannelState({ ...fresh, latestEpoch: 491_003n, slots }),
    });

    const account = await client.getAccount(channelState);

    expect(account?.owner).toBe(program.programAddress);
    const state = decodeChannelState(account!.data);
    expect(state.latestEpoch).toBe(491_003n);
    const standing = channelSlotStanding(state, 491_003n);
    expect(standing.kind).toBe('present');
    expect(isClaimed(standing.slot.claimedBitmap, 7)).toBe(true);
    expect(isClaimed(standing.slot.claimedBitmap, 6)).toBe(false);
    expect(channelSlotStanding(state, 490_993n).kind).toBe('superseded');
    expect(await client.getAccount(Keypair.generate().publicKey.toBase58())).toBeNull();
  });

  it('serves a transaction sent base58-encoded by a plain JSON-RPC client', async () => {
    const payer = Keypair.generate();
    const airdrop = await client.requestAirdrop(payer.publicKey.toBase58(), LAMPORTS_PER_SOL);
    await client.confirmTransaction(airdrop, (await client.getLatestBlockhash()).lastValidBlockHeight);
    const { blockhash } = await client.getLatestBlockhash();
    const transaction = new Transaction({ feePayer: payer.publicKey, recentBlockhash: blockhash }).add(
      new TransactionInstruction({
        programId: new PublicKey(MEMO_PROGRAM_ID),
        keys: [],
        data: Buffer.from('hello'),
      }),
    );
    transaction.sign(payer);
    const base58 = (await import('bs58')).default.encode(transaction.serialize());

    const response = await fetch(rpc.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'sendTransaction', params: [base58] }),
    });
    const { result } = (await response.json()) as { result: string };

    expect(result).toBe((await import('bs58')).default.encode(transaction.signature!));
    expect((await client.getTransaction(result))?.logMessages).toContain('Program log: hello');
  });

  it('lands a version 0 transaction and describes it to a client that accepts version 0', async () => {
    const payer = Keypair.generate();
    const airdrop = await client.requestAirdrop(payer.publicKey.toBase58(), LAMPORTS_PER_SOL);
    await client.confirmTransaction(airdrop, (await client.getLatestBlockhash()).lastValidBlockHeight);
    const { blockhash } = await client.getLatestBlockhash();
    const message = MessageV0.compile({
      payerKey: payer.publicKey,
      recentBlockhash: blockhash,
      instructions: [
        new TransactionInstruction({
          programId: new PublicKey(MEMO_PROGRAM_ID),
          keys: [],
          data: Buffer.from('v0'),
        }),
      ],
    });
    const transaction = new VersionedTransaction(message);
    transaction.sign([payer]);

    const signature = await client.connection.sendTransaction(transaction);
    await client.confirmTransaction(signature, (await client.getLatestBlockhash()).lastValidBlockHeight);

    const described = await client.connection.getTransaction(signature, {
      maxSupportedTransactionVersion: 0,
    });
    expect(described?.version).toBe(0);
    expect(described?.meta?.logMessages).toContain('Program log: v0');
  });

  it('answers a batch of JSON-RPC requests in one response, in order', async () => {
    const response = await fetch(rpc.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([
        { jsonrpc: '2.0', id: 1, method: 'getSlot' },
        { jsonrpc: '2.0', id: 2, method: 'getHealth' },
        { jsonrpc: '2.0', id: 3, method: 'noSuchMethod' },
      ]),
    });

    const answers = (await response.json()) as { id: number; result?: unknown; error?: { code: number } }[];
    expect(answers.map((a) => a.id)).toEqual([1, 2, 3]);
    expect(answers[0]?.result).toBe(Number(rpc.slot()));
    expect(answers[1]?.result).toBe('ok');
    expect(answers[2]?.error?.code).toBe(-32601);
  });

  it('refuses to start when ATTENTION_PROGRAM_SO points to a file that does not exist', async () => {
    await expect(startSolanaRpc({ attentionProgramSo: '/nonexistent/attention_oracle.so' })).rejects.toThrow(
      /ATTENTION_PROGRAM_SO/,
    );
  });

  it('lands a transaction signed by a signer restored from a secret key', async () => {
    const keypair = Keypair.generate();
    const signer = createKeypairSigner(keypair.secretKey);
    const airdrop = await client.requestAirdrop(signer.address, LAMPORTS_PER_SOL);
    await client.confirmTransaction(airdrop, (await client.getLatestBlockhash()).lastValidBlockHeight);

    const confirmed = await client.sendAndConfirmTransaction(
      [rootMemoInstruction({ channel: 'xqc', epoch: 10n, root: ROOT })],
      signer,
    );

    expect((await client.getTransaction(confirmed.signature))?.feePayer).toBe(keypair.publicKey.toBase58());
  });
});

describe("an address's transaction history (getSignaturesForAddress)", () => {
  it('lists every transaction that named the address, newest first, failed ones and airdrops included', async () => {
    const signer = await fundedSigner();
    const landed = await client.sendAndConfirmTransaction(
      [rootMemoInstruction({ channel: 'hist', epoch: 1n, root: ROOT })],
      signer,
    );
    const lifetime = await client.getLatestBlockhash();
    const refused = await client.signTransaction(
      [{ programAddress: MEMO_PROGRAM_ID, accounts: [], data: Uint8Array.of(0xff) }],
      signer,
      lifetime,
    );
    await client.sendTransaction(refused, { skipPreflight: true });

    const history = await client.getSignaturesForAddress(signer.address);

    expect(history.map((h) => h.signature)).toEqual([
      refused.signature,
      landed.signature,
      expect.any(String), // the airdrop that funded it
    ]);
    expect(history[0]?.err).toEqual({ InstructionError: [0, expect.anything()] });
    expect(history[1]).toMatchObject({ err: null, slot: landed.slot, confirmationStatus: 'confirmed' });
    expect(await client.getSignaturesForAddress(Keypair.generate().publicKey.toBase58())).toEqual([]);
  });

  it('pages with before, until and limit, each exclusive, as a node does', async () => {
    const signer = await fundedSigner();
    const sent: string[] = [];
    for (let epoch = 1n; epoch <= 5n; epoch++) {
      const confirmed = await client.sendAndConfirmTransaction(
        [rootMemoInstruction({ channel: 'pages', epoch, root: ROOT })],
        signer,
      );
      sent.push(confirmed.signature);
    }
    const newestFirst = [...sent].reverse();
    const page = async (query: Parameters<typeof client.getSignaturesForAddress>[1]) =>
      (await client.getSignaturesForAddress(signer.address, query)).map((h) => h.signature);

    expect(await page({ limit: 2 })).toEqual(newestFirst.slice(0, 2));
    expect(await page({ before: newestFirst[1] as string, limit: 2 })).toEqual(newestFirst.slice(2, 4));
    expect(await page({ before: newestFirst[0] as string, until: newestFirst[3] as string })).toEqual(
      newestFirst.slice(1, 3),
    );
    expect(await page({ before: 'unknownsignature1111111111111111' })).toEqual([]);
    await expect(page({ limit: 1001 })).rejects.toMatchObject({ name: 'ChainError' });
  });

  it('answers the memo of a memo transaction in the entry, as a node formats it', async () => {
    const signer = await fundedSigner();
    const memo = buildRootMemo({ channel: 'memo_field', epoch: 7n, root: ROOT });
    await client.sendAndConfirmTransaction([rootMemoInstruction(memo)], signer);

    const response = await fetch(rpc.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'getSignaturesForAddress',
        params: [signer.address],
      }),
    });
    const body = (await response.json()) as { result: { memo: string | null }[] };

    expect(body.result[0]?.memo).toBe(`[${memo.length}] ${memo}`);
  });
});

describe('fault injection on the local Solana RPC', () => {
  it('surfaces a request that never gets an answer as a network error', async () => {
    rpc.faults.next('getLatestBlockhash', 'timeout');
    const impatient = new Web3SolanaClient({ url: rpc.url, requestTimeoutMs: 200 });

    await expect(impatient.getLatestBlockhash()).rejects.toEqual(chainError('network'));
  });

  it('surfaces HTTP 429 as a retryable network error without retrying inside web3.js', async () => {
    rpc.faults.next('getBlockHeight', '429');
    const before = rpc.callCount('getBlockHeight');

    const error = await client.getBlockHeight().catch((e: unknown) => e);

    expect(error).toMatchObject({ kind: 'network', retryable: true, details: { rateLimited: true } });
    expect(rpc.callCount('getBlockHeight')).toBe(before + 1);
  });

  it('answers blockhash-not-found without landing the transaction', async () => {
    const lifetime = await client.getLatestBlockhash();
    const signed = await client.signTransaction(
      [rootMemoInstruction({ channel: 'xqc', epoch: 8n, root: ROOT })],
      publisher,
      lifetime,
    );
    rpc.faults.next('sendTransaction', 'blockhash-not-found');

    await expect(client.sendTransaction(signed)).rejects.toEqual(chainError('blockhash'));
    expect(rpc.transaction(signed.signature)).toBeUndefined();
  });

  it('lands a transaction whose answer is lost, so the signature recorded before sending finds it', async () => {
    const lifetime = await client.getLatestBlockhash();
    const signed = await client.signTransaction(
      [rootMemoInstruction({ channel: 'xqc', epoch: 9n, root: ROOT })],
      publisher,
      lifetime,
    );
    rpc.faults.next('sendTransaction', 'drop-after-send');

    await expect(client.sendTransaction(signed)).rejects.toEqual(chainError('network'));
    const status = await client.getSignatureStatus(signed.signature);
    expect(status?.err).toBeNull();
    expect(await client.sendTransaction(signed)).toBe(signed.signature);
    expect(rpc.faults.pending()).toBe(0);
  });
});

describe('program-mode accounts written into the local chain', () => {
  const mint = () => Keypair.generate().publicKey.toBase58();

  it('creates a channel state on the first root and shows it to a client as the program would', async () => {
    const ref = { mint: mint(), channel: 'lacy' };

    setRoot(rpc, ref, 491_003n, Buffer.from(ROOT, 'hex'));

    const account = await client.getAccount(createAttentionProgram().channelStateAddress(ref.mint, 'lacy'));
    const state = decodeChannelState(account!.data);
    expect(state.latestEpoch).toBe(491_003n);
    expect(state.streamer).toEqual(streamerKey('lacy'));
    expect(state.slots[3]).toMatchObject({ epoch: 491_003n, claimCount: 0 });
  });

  it('refuses a root for an epoch not greater than the one in its slot, as the program does', () => {
    const ref = { mint: mint(), channel: 'lacy' };
    setRoot(rpc, ref, 491_013n, Buffer.from(ROOT, 'hex'));

    expect(() => setRoot(rpc, ref, 491_003n, Buffer.from(ROOT, 'hex'))).toThrow(/refuses/);
    expect(() => setRoot(rpc, ref, 491_013n, Buffer.from(ROOT, 'hex'))).toThrow(/refuses/);
  });

  it('records claims in the slot bitmap and clears them when a later epoch takes the slot', () => {
    const ref = { mint: mint(), channel: 'carry:milo' };
    setRoot(rpc, ref, 491_003n, Buffer.from(ROOT, 'hex'));
    markClaimed(rpc, ref, 491_003n, 2);

    const claimed = readChannelState(rpc, ref)!.slots[3]!;
    expect(claimed.claimCount).toBe(1);
    expect(unclaimedIndexes(claimed.claimedBitmap, 4)).toEqual([0, 1, 3]);
    expect(() => markClaimed(rpc, ref, 491_003n, 2)).toThrow(/already claimed/);

    setRoot(rpc, ref, 491_013n, Buffer.from(ROOT, 'hex'));
    expect(unclaimedIndexes(readChannelState(rpc, ref)!.slots[3]!.claimedBitmap, 4)).toEqual([0, 1, 2, 3]);
  });
});
