/**
 * With a compiled attention program (ATTENTION_PROGRAM_SO=/path/to/attention_oracle.so), the
 * publisher's program mode and a wallet's claim run end to end in LiteSVM. Without the file the
 * test reports itself skipped: the program is not built in this repository.
 */
import { Keypair } from '@solana/web3.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqsWorkQueue } from '../../layers/shared/src/adapters/aws/sqs-work-queue.ts';
import { createAttentionProgram } from '../../layers/shared/src/adapters/solana/attention-program.ts';
import {
  createKeypairSigner,
  generateKeypairSigner,
} from '../../layers/shared/src/adapters/solana/keypair-signer.ts';
import { Web3SolanaClient } from '../../layers/shared/src/adapters/solana/web3-solana-client.ts';
import { userHash } from '../../layers/shared/src/core/attention/user-hash.ts';
import { ClaimTree, toHex } from '../../layers/shared/src/core/merkle/index.ts';
import {
  channelSlotStanding,
  decodeChannelState,
  isClaimed,
} from '../../layers/shared/src/core/solana/channel-state.ts';
import { publishRoot } from '../../layers/shared/src/services/publisher.ts';
import { type SqsService, startSqs } from '../../local/services.ts';
import { type SolanaRpcHandle, startSolanaRpc } from '../../local/solana-rpc.ts';
import { createTestDatabase, type TestDatabase } from '../fixtures/db.ts';

const programSo = process.env['ATTENTION_PROGRAM_SO'];
const EPOCH = 1_767_261_600;

describe.skipIf(programSo === undefined || programSo === '')(
  'the compiled attention program (ATTENTION_PROGRAM_SO)',
  () => {
    let t: TestDatabase;
    let rpc: SolanaRpcHandle;
    let sqs: SqsService;

    beforeAll(async () => {
      t = await createTestDatabase();
      rpc = await startSolanaRpc({ attentionProgramSo: programSo as string, slotIntervalMs: 0 });
      sqs = await startSqs();
    });
    afterAll(async () => {
      await sqs.stop();
      await rpc.stop();
      await t.close();
    });

    it('sets a root with set_channel_merkle_root, then a viewer claims a leaf with claim_channel_open', async () => {
      expect(rpc.attentionProgramLoaded).toBe(true);
      const solana = new Web3SolanaClient({ url: rpc.url, pollIntervalMs: 20 });
      const { signer } = generateKeypairSigner();
      rpc.airdrop(signer.address, 10_000_000_000n);
      const mint = Keypair.generate().publicKey.toBase58();
      const claimerKeypair = Keypair.generate();
      rpc.airdrop(claimerKeypair.publicKey.toBase58(), 1_000_000_000n);
      const claim = {
        claimer: claimerKeypair.publicKey.toBytes(),
        index: 0,
        amount: 1_000n,
        id: userHash('alice_a'),
      };
      const tree = ClaimTree.build([claim], { format: 'claim-v1' });
      const root = toHex(tree.root).replace(/^0x/, '');
      await t.sql`insert into attention.merkle_trees (epoch, channel, kind, token_group, format, root, leaf_count, total_amount, dump)
      values (${EPOCH}, 'prog_channel', 'channel', 'MILO', 'claim-v1', ${root}, 1, 1000, ${JSON.stringify(tree.dump())}::jsonb)`;
      await t.sql`insert into attention.publications (epoch, channel, token_group, mint, mode, root)
      values (${EPOCH}, 'prog_channel', 'MILO', ${mint}, 'program', ${root})`;
      const program = createAttentionProgram();
      const deps = {
        sql: t.sql,
        solana,
        signer,
        program,
        queue: new SqsWorkQueue({
          queueUrl: sqs.queues.publish.url,
          deadLetterQueueUrl: sqs.queues.publish.dlqUrl,
          client: sqs.client,
        }),
        mode: 'program' as const,
        mints: { MILO: { mint, epochUnit: 'hours' as const } },
      };
      expect((await publishRoot(deps, { epoch: EPOCH, channel: 'prog_channel' })).outcome).toBe('published');
      const onChainEpoch = BigInt(EPOCH / 3600);
      const account = await solana.getAccount(program.channelStateAddress(mint, 'prog_channel'));
      const state = decodeChannelState(account?.data ?? new Uint8Array());
      expect(channelSlotStanding(state, onChainEpoch).kind).toBe('present');

      const claimer = createKeypairSigner(claimerKeypair.secretKey);
      await solana.sendAndConfirmTransaction(
        [
          program.claimChannelOpen({
            claimer: claimer.address,
            mint,
            channel: 'prog_channel',
            epoch: onChainEpoch,
            index: 0,
            amount: 1_000n,
            id: claim.id,
            proof: tree.proof(0),
          }),
        ],
        claimer,
      );
      const after = decodeChannelState(
        (await solana.getAccount(program.channelStateAddress(mint, 'prog_channel')))?.data ??
          new Uint8Array(),
      );
      const standing = channelSlotStanding(after, onChainEpoch);
      expect(isClaimed(standing.slot.claimedBitmap, 0)).toBe(true);
    });
  },
);
