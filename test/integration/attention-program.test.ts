/**
 * The attention program's two instructions on the local chain, through the publisher and a
 * viewer's wallet. The same tests run against the stand-in the local RPC executes by default,
 * and against the compiled program when ATTENTION_PROGRAM_SO names one (the program is not built
 * in this repository, so that run reports itself skipped without the file).
 */

import { Keypair } from '@solana/web3.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqsWorkQueue } from '../../layers/shared/src/adapters/aws/sqs-work-queue.ts';
import {
  createAttentionProgram,
  toSolanaInstruction,
} from '../../layers/shared/src/adapters/solana/attention-program.ts';
import {
  createKeypairSigner,
  generateKeypairSigner,
} from '../../layers/shared/src/adapters/solana/keypair-signer.ts';
import { Web3SolanaClient } from '../../layers/shared/src/adapters/solana/web3-solana-client.ts';
import { userHash } from '../../layers/shared/src/core/attention/user-hash.ts';
import { ClaimTree, toHex } from '../../layers/shared/src/core/merkle/index.ts';
import {
  CHANNEL_STATE_SIZE,
  channelSlotStanding,
  decodeChannelState,
  isClaimed,
} from '../../layers/shared/src/core/solana/channel-state.ts';
import type { SolanaInstruction, SolanaSigner } from '../../layers/shared/src/ports/solana.ts';
import { SILENT_TELEMETRY } from '../../layers/shared/src/ports/telemetry.ts';
import { type PublisherDeps, publishRoot } from '../../layers/shared/src/services/attention/publisher.ts';
import { type AttentionProtocol, setUpAttentionProtocol } from '../../local/attention-program-accounts.ts';
import { type SqsService, startSqs } from '../../local/services.ts';
import { type SolanaRpcHandle, startSolanaRpc } from '../../local/solana-rpc.ts';
import {
  associatedTokenAddress,
  createAssociatedTokenAccountInstruction,
  transferCheckedInstruction,
} from '../../local/token-2022.ts';
import { PROGRAM_TARGETS } from '../fixtures/attention-chain.ts';
import { createTestDatabase, type TestDatabase } from '../fixtures/db.ts';

const HOUR = 3600;
const EPOCH = 1_767_261_600;
const ON_CHAIN_EPOCH = BigInt(EPOCH / HOUR);

describe.each(PROGRAM_TARGETS)('the attention program: $name', ({ so, skip }) => {
  let t: TestDatabase;
  let rpc: SolanaRpcHandle;
  let sqs: SqsService;
  let client: Web3SolanaClient;
  let publisher: SolanaSigner;
  let protocol: AttentionProtocol;
  const program = createAttentionProgram();

  beforeAll(async () => {
    if (skip) return;
    t = await createTestDatabase();
    rpc = await startSolanaRpc({
      slotIntervalMs: 0,
      ...(so === undefined ? { attentionProgramSo: '' } : { attentionProgramSo: so }),
    });
    sqs = await startSqs();
    client = new Web3SolanaClient({ url: rpc.url, pollIntervalMs: 10, requestTimeoutMs: 2_000 });
    publisher = generateKeypairSigner().signer;
    rpc.airdrop(publisher.address, 10_000_000_000n);
    protocol = await setUpAttentionProtocol(rpc, { publisher: publisher.address });
  });
  afterAll(async () => {
    if (skip) return;
    await sqs.stop();
    await rpc.stop();
    await t.close();
  });

  function publisherDeps(): PublisherDeps {
    return {
      sql: t.sql,
      telemetry: SILENT_TELEMETRY,
      solana: client,
      signer: publisher,
      program,
      queue: new SqsWorkQueue({
        queueUrl: sqs.queues.publish.url,
        deadLetterQueueUrl: sqs.queues.publish.dlqUrl,
        client: sqs.client,
      }),
      mode: 'program',
      mints: { MILO: { mint: protocol.mint, epochUnit: 'hours' } },
    };
  }

  /** A tree of funded viewers' wallets, stored and published by the publisher. */
  async function publishedTree(channel: string, epoch = EPOCH, viewers = 3) {
    const wallets = Array.from({ length: viewers }, () => Keypair.generate());
    for (const wallet of wallets) rpc.airdrop(wallet.publicKey.toBase58(), 1_000_000_000n);
    const claims = wallets.map((wallet, index) => ({
      claimer: wallet.publicKey.toBytes(),
      index,
      amount: 1_000n * BigInt(index + 1),
      id: userHash(`viewer_${index}`),
    }));
    const tree = ClaimTree.build(claims, { format: 'claim-v1' });
    const root = toHex(tree.root).replace(/^0x/, '');
    await t.sql`insert into attention.merkle_trees (epoch, channel, kind, token_group, format, root, leaf_count, total_amount, dump)
      values (${epoch}, ${channel}, 'channel', 'MILO', 'claim-v1', ${root}, ${claims.length}, 6000, ${JSON.stringify(tree.dump())}::jsonb)`;
    await t.sql`insert into attention.publications (epoch, channel, token_group, mint, mode, root)
      values (${epoch}, ${channel}, 'MILO', ${protocol.mint}, 'program', ${root})`;
    expect((await publishRoot(publisherDeps(), { epoch, channel })).outcome).toBe('published');
    return { tree, claims, wallets, root, onChainEpoch: BigInt(epoch / HOUR) };
  }

  function claimInstruction(
    channel: string,
    published: Awaited<ReturnType<typeof publishedTree>>,
    index: number,
    overrides: { claimer?: string; amount?: bigint; epoch?: bigint } = {},
  ): SolanaInstruction {
    const claim = published.claims[index] as (typeof published.claims)[number];
    return program.claimChannelOpen({
      claimer: overrides.claimer ?? (published.wallets[index] as Keypair).publicKey.toBase58(),
      mint: protocol.mint,
      channel,
      epoch: overrides.epoch ?? published.onChainEpoch,
      index,
      amount: overrides.amount ?? claim.amount,
      id: claim.id,
      proof: published.tree.proof(index),
    });
  }

  function walletOf(published: Awaited<ReturnType<typeof publishedTree>>, index: number): SolanaSigner {
    return createKeypairSigner((published.wallets[index] as Keypair).secretKey);
  }

  async function tokenBalance(owner: string): Promise<bigint> {
    const response = await fetch(rpc.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'getTokenAccountBalance',
        params: [associatedTokenAddress(owner, protocol.mint)],
      }),
    });
    const body = (await response.json()) as { result?: { value: { amount: string } } };
    return BigInt(body.result?.value.amount ?? '0');
  }

  /** Sent without preflight, so a refused transaction lands with its error, as on a cluster. */
  async function landRefused(instructions: SolanaInstruction[], signer: SolanaSigner) {
    const lifetime = await client.getLatestBlockhash();
    const signed = await client.signTransaction(instructions, signer, lifetime);
    await client.sendTransaction(signed, { skipPreflight: true });
    await client.confirmTransaction(signed.signature, lifetime.lastValidBlockHeight).catch(() => undefined);
    return client.getTransaction(signed.signature);
  }

  async function slotOf(channel: string, onChainEpoch: bigint) {
    const account = await client.getAccount(program.channelStateAddress(protocol.mint, channel));
    return channelSlotStanding(decodeChannelState(account?.data ?? new Uint8Array()), onChainEpoch);
  }

  it.skipIf(skip)(
    'sets a root, then a viewer claims a leaf: the bit is set and the tokens move from the treasury into a new token account',
    async () => {
      const before = await client.getBalance(publisher.address);
      const published = await publishedTree('prog_claim');
      const channelState = await client.getAccount(program.channelStateAddress(protocol.mint, 'prog_claim'));
      const rent = rpc.svm.minimumBalanceForRentExemption(BigInt(CHANNEL_STATE_SIZE));
      expect(channelState).toMatchObject({ owner: program.programAddress, lamports: rent });
      expect(before - (await client.getBalance(publisher.address))).toBe(rent + 5000n);
      const treasuryBefore = await tokenBalance(protocol.protocolState);
      const viewer = walletOf(published, 1);
      expect(await client.getAccount(associatedTokenAddress(viewer.address, protocol.mint))).toBeNull();

      const confirmed = await client.sendAndConfirmTransaction(
        [claimInstruction('prog_claim', published, 1)],
        viewer,
      );

      expect(isClaimed((await slotOf('prog_claim', published.onChainEpoch)).slot.claimedBitmap, 1)).toBe(
        true,
      );
      expect(await tokenBalance(viewer.address)).toBe(2_000n);
      expect(treasuryBefore - (await tokenBalance(protocol.protocolState))).toBe(2_000n);
      const record = await client.getTransaction(confirmed.signature);
      expect(record).toMatchObject({ err: null, fee: 5000n, feePayer: viewer.address });
      expect(record?.innerInstructions.map((ix) => ix.programAddress)).toContain(
        'TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb',
      );
      const history = await client.getSignaturesForAddress(
        program.channelStateAddress(protocol.mint, 'prog_claim'),
      );
      expect(history.map((h) => h.signature)[0]).toBe(confirmed.signature);
      expect(history).toHaveLength(2);
    },
  );

  it.skipIf(skip)('refuses the same leaf claimed twice (AlreadyClaimed), charging only the fee', async () => {
    const published = await publishedTree('prog_twice');
    const viewer = walletOf(published, 0);
    await client.sendAndConfirmTransaction([claimInstruction('prog_twice', published, 0)], viewer);
    const lamports = await client.getBalance(viewer.address);

    const record = await landRefused([claimInstruction('prog_twice', published, 0)], viewer);

    expect(record?.err).toEqual({ InstructionError: [0, { Custom: 6006 }] });
    expect(record?.logMessages.join('\n')).toContain('AlreadyClaimed');
    expect(await tokenBalance(viewer.address)).toBe(1_000n);
    expect(lamports - (await client.getBalance(viewer.address))).toBe(5000n);
    const preflight = await client
      .sendAndConfirmTransaction([claimInstruction('prog_twice', published, 0)], viewer)
      .catch((e: unknown) => e);
    expect(preflight).toMatchObject({ kind: 'execution' });
    expect(String((preflight as Error).message)).toContain('custom program error: 0x1776');
  });

  it.skipIf(skip)(
    'refuses a proof for another wallet or another amount (InvalidProof) and moves nothing',
    async () => {
      const published = await publishedTree('prog_proof');
      const thief = walletOf(published, 2);
      const treasury = await tokenBalance(protocol.protocolState);

      const stolen = await landRefused(
        [claimInstruction('prog_proof', published, 0, { claimer: thief.address })],
        thief,
      );
      const inflated = await landRefused(
        [claimInstruction('prog_proof', published, 2, { amount: 1_000_000n })],
        thief,
      );

      expect(stolen?.err).toEqual({ InstructionError: [0, { Custom: 6007 }] });
      expect(inflated?.err).toEqual({ InstructionError: [0, { Custom: 6007 }] });
      expect(await tokenBalance(protocol.protocolState)).toBe(treasury);
      expect(await client.getAccount(associatedTokenAddress(thief.address, protocol.mint))).toBeNull();
      expect((await slotOf('prog_proof', published.onChainEpoch)).slot.claimCount).toBe(0);
    },
  );

  it.skipIf(skip)(
    'refuses a root from a key that is neither the admin nor the publisher (Unauthorized); the admin may set one',
    async () => {
      const stranger = generateKeypairSigner().signer;
      rpc.airdrop(stranger.address, 1_000_000_000n);
      const root = new Uint8Array(32).fill(9);
      const set = (payer: string) =>
        program.setChannelMerkleRoot({
          payer,
          mint: protocol.mint,
          channel: 'prog_auth',
          epoch: ON_CHAIN_EPOCH,
          root,
        });

      const refused = await landRefused([set(stranger.address)], stranger);
      const admin = createKeypairSigner(protocol.admin.secretKey);
      await client.sendAndConfirmTransaction([set(admin.address)], admin);

      expect(refused?.err).toEqual({ InstructionError: [0, { Custom: 6000 }] });
      expect((await slotOf('prog_auth', ON_CHAIN_EPOCH)).kind).toBe('present');
    },
  );

  it.skipIf(skip)(
    'refuses an epoch not greater than its ring slot holds (EpochNotIncreasing), then a claim of the overwritten epoch (SlotMismatch)',
    async () => {
      const published = await publishedTree('prog_ring');
      const set = (epoch: bigint) =>
        program.setChannelMerkleRoot({
          payer: publisher.address,
          mint: protocol.mint,
          channel: 'prog_ring',
          epoch,
          root: new Uint8Array(32).fill(3),
        });

      const older = await landRefused([set(published.onChainEpoch - 10n)], publisher);
      const same = await landRefused([set(published.onChainEpoch)], publisher);
      await client.sendAndConfirmTransaction([set(published.onChainEpoch + 10n)], publisher);
      const late = await landRefused([claimInstruction('prog_ring', published, 0)], walletOf(published, 0));

      expect(older?.err).toEqual({ InstructionError: [0, { Custom: 6023 }] });
      expect(same?.err).toEqual({ InstructionError: [0, { Custom: 6023 }] });
      expect(late?.err).toEqual({ InstructionError: [0, { Custom: 6017 }] });
      expect(await tokenBalance(walletOf(published, 0).address)).toBe(0n);
    },
  );

  it.skipIf(skip)(
    'runs the other instructions of a claim transaction with it, and undoes them all when the claim fails',
    async () => {
      const published = await publishedTree('prog_mixed');
      const viewer = walletOf(published, 0);
      const friend = Keypair.generate().publicKey.toBase58();
      const transfer: SolanaInstruction = {
        programAddress: '11111111111111111111111111111111',
        accounts: [
          { address: viewer.address, isSigner: true, isWritable: true },
          { address: friend, isSigner: false, isWritable: true },
        ],
        data: Uint8Array.from([2, 0, 0, 0, ...new Uint8Array(new BigUint64Array([1_000_000n]).buffer)]),
      };

      const failed = await landRefused(
        [transfer, claimInstruction('prog_mixed', published, 0, { amount: 7n })],
        viewer,
      );
      expect(failed?.err).toEqual({ InstructionError: [1, { Custom: 6007 }] });
      expect(await client.getBalance(friend)).toBe(0n);

      await client.sendAndConfirmTransaction(
        [transfer, claimInstruction('prog_mixed', published, 0)],
        viewer,
      );
      expect(await client.getBalance(friend)).toBe(1_000_000n);
      expect(await tokenBalance(viewer.address)).toBe(1_000n);
    },
  );

  it.skipIf(skip)(
    'creates the claimer token account as the associated token program does, and Token-2022 moves its tokens on',
    async () => {
      const published = await publishedTree('prog_ata');
      const viewer = walletOf(published, 2);
      await client.sendAndConfirmTransaction([claimInstruction('prog_ata', published, 2)], viewer);
      const created = await client.getAccount(associatedTokenAddress(viewer.address, protocol.mint));
      // The treasury was made by the associated token program itself (setUpAttentionProtocol).
      const reference = await client.getAccount(protocol.treasury);
      expect(created?.owner).toBe(reference?.owner);
      expect(created?.data.length).toBe(reference?.data.length);
      expect(created?.lamports).toBe(reference?.lamports);
      expect(
        Buffer.from(created?.data.subarray(72) ?? []).equals(Buffer.from(reference?.data.subarray(72) ?? [])),
      ).toBe(true);

      const friend = Keypair.generate().publicKey.toBase58();
      await client.sendAndConfirmTransaction(
        [
          toSolanaInstruction(
            createAssociatedTokenAccountInstruction({
              payer: viewer.address,
              owner: friend,
              mint: protocol.mint,
            }),
          ),
          toSolanaInstruction(
            transferCheckedInstruction({
              source: associatedTokenAddress(viewer.address, protocol.mint),
              mint: protocol.mint,
              destination: associatedTokenAddress(friend, protocol.mint),
              authority: viewer.address,
              amount: 1_200n,
              decimals: protocol.decimals,
            }),
          ),
        ],
        viewer,
      );
      expect(await tokenBalance(viewer.address)).toBe(1_800n);
      expect(await tokenBalance(friend)).toBe(1_200n);
    },
  );
});
