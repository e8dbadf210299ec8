/**
 * The local cycle's claim on chain: the bound viewer's wallet signs `claim_channel_open` with
 * the proof `GET /claims/{user}` served, the local chain's attention program (its stand-in,
 * unless ATTENTION_PROGRAM_SO) pays it from the treasury, and the viewer's token balance must
 * grow by exactly the leaf's amount and the leaf's bit be set. In memo mode there is no program
 * to claim from; the summary says so.
 */
import { createAttentionProgram } from '../layers/shared/src/adapters/solana/attention-program.ts';
import { createKeypairSigner } from '../layers/shared/src/adapters/solana/keypair-signer.ts';
import { Web3SolanaClient } from '../layers/shared/src/adapters/solana/web3-solana-client.ts';
import { config } from '../layers/shared/src/config.ts';
import {
  channelSlotStanding,
  decodeChannelState,
  isClaimed,
} from '../layers/shared/src/core/solana/channel-state.ts';
import { toOnChainEpoch } from '../layers/shared/src/core/solana/onchain-epoch.ts';
import type { CycleContext } from './cycle.ts';
import type { LocalRuntime } from './runtime.ts';
import { associatedTokenAddress, readTokenAccount } from './token-2022.ts';

export type OnChainClaim =
  | {
      readonly signature: string;
      readonly wallet: string;
      readonly amount: string;
      readonly balanceBefore: string;
      readonly balanceAfter: string;
      readonly leafClaimedOnChain: boolean;
    }
  | { readonly skipped: string };

export async function claimOnChain(
  runtime: LocalRuntime,
  context: CycleContext,
  served: Record<string, unknown>,
  proof: readonly Uint8Array[],
): Promise<OnChainClaim> {
  const c = config();
  if (c.PUBLISH_MODE !== 'program') return { skipped: 'memo mode: claims need the attention program' };
  if (context.boundWallet === undefined) throw new Error('the bound viewer has no wallet to claim with');
  const mint = c.TOKEN_GROUP_MINTS[served['tokenGroup'] as string];
  if (mint === undefined) throw new Error(`token group ${String(served['tokenGroup'])} has no mint`);
  const client = new Web3SolanaClient({ url: runtime.solanaRpcUrl, pollIntervalMs: 50 });
  const wallet = createKeypairSigner(context.boundWallet);
  // Fees and the token account's rent: a viewer's wallet holds some SOL.
  const airdrop = await client.requestAirdrop(wallet.address, 100_000_000n);
  await client.confirmTransaction(airdrop, (await client.getLatestBlockhash()).lastValidBlockHeight);
  const program = createAttentionProgram(c.ATTENTION_PROGRAM_ID);
  const channel = served['channel'] as string;
  const onChainEpoch = toOnChainEpoch(served['epoch'] as number, mint.epochUnit);
  const amount = BigInt(served['amount'] as string);
  const balance = async () => {
    const account = await client.getAccount(associatedTokenAddress(wallet.address, mint.mint));
    return account === null ? 0n : (readTokenAccount(account.data)?.amount ?? 0n);
  };
  const before = await balance();
  const confirmed = await client.sendAndConfirmTransaction(
    [
      program.claimChannelOpen({
        claimer: wallet.address,
        mint: mint.mint,
        channel,
        epoch: onChainEpoch,
        index: served['index'] as number,
        amount,
        id: served['id'] as string,
        proof,
      }),
    ],
    wallet,
  );
  const after = await balance();
  if (after - before !== amount) {
    throw new Error(`the claim landed but the token balance grew by ${after - before}, not ${amount}`);
  }
  const state = await client.getAccount(program.channelStateAddress(mint.mint, channel));
  const standing = channelSlotStanding(decodeChannelState(state?.data ?? new Uint8Array()), onChainEpoch);
  const leafClaimedOnChain =
    standing.kind === 'present' && isClaimed(standing.slot.claimedBitmap, served['index'] as number);
  if (!leafClaimedOnChain) throw new Error('the claim landed but the leaf is not marked claimed on chain');
  return {
    signature: confirmed.signature,
    wallet: wallet.address,
    amount: amount.toString(),
    balanceBefore: before.toString(),
    balanceAfter: after.toString(),
    leafClaimedOnChain,
  };
}
