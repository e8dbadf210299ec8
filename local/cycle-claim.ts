/**
 * The local cycle's claim on chain, as a viewer's claims page makes it: with the session of the
 * viewer's Twitch sign-in it asks `POST /claims/{user}/transactions` for unsigned
 * `claim_channel_open` transactions, the viewer's wallet signs and sends each, and the local
 * chain's attention program (its stand-in, unless ATTENTION_PROGRAM_SO) pays them from the
 * treasury. The wallet's token balance must grow by exactly the amounts of the claims sent, the
 * leaf `GET /claims/{user}` served among them, and that leaf's bit be set. In memo mode there is
 * no program to claim from; the summary says so.
 */
import { Keypair, Transaction } from '@solana/web3.js';
import bs58 from 'bs58';
import { createAttentionProgram } from '../layers/shared/src/adapters/solana/attention-program.ts';
import { Web3SolanaClient } from '../layers/shared/src/adapters/solana/web3-solana-client.ts';
import {
  channelSlotStanding,
  decodeChannelState,
  isClaimed,
} from '../layers/shared/src/core/solana/channel-state.ts';
import { toOnChainEpoch } from '../layers/shared/src/core/solana/onchain-epoch.ts';
import type { ClaimTransactionsView } from '../layers/shared/src/services/attention/claim-transactions.ts';
import type { CycleContext } from './cycle.ts';
import type { LocalRuntime } from './runtime.ts';
import { associatedTokenAddress, readTokenAccount } from './token-2022.ts';

export type OnChainClaim =
  | {
      readonly signatures: readonly string[];
      readonly wallet: string;
      /** The claims the route packed, each `epoch:channel:index`. */
      readonly claims: readonly string[];
      /** Their amounts' sum. */
      readonly amount: string;
      readonly balanceBefore: string;
      readonly balanceAfter: string;
      /** The served leaf's bit is set on chain. */
      readonly leafClaimedOnChain: boolean;
    }
  | { readonly skipped: string };

export async function claimOnChain(
  runtime: LocalRuntime,
  context: CycleContext,
  served: Record<string, unknown>,
): Promise<OnChainClaim> {
  const c = runtime.platform.config;
  if (c.PUBLISH_MODE !== 'program') return { skipped: 'memo mode: claims need the attention program' };
  if (
    context.boundWallet === undefined ||
    context.boundSession === undefined ||
    context.boundViewer === undefined
  )
    throw new Error('the bound viewer has no wallet or session to claim with');
  const mint = c.TOKEN_GROUP_MINTS[served['tokenGroup'] as string];
  if (mint === undefined) throw new Error(`token group ${String(served['tokenGroup'])} has no mint`);
  const client = new Web3SolanaClient({ url: runtime.solanaRpcUrl, pollIntervalMs: 50 });
  const wallet = Keypair.fromSecretKey(context.boundWallet);
  const address = wallet.publicKey.toBase58();
  // Fees and the token account's rent: a viewer's wallet holds some SOL.
  const airdrop = await client.requestAirdrop(address, 100_000_000n);
  await client.confirmTransaction(airdrop, (await client.getLatestBlockhash()).lastValidBlockHeight);
  const balance = async () => {
    const account = await client.getAccount(associatedTokenAddress(address, mint.mint));
    return account === null ? 0n : (readTokenAccount(account.data)?.amount ?? 0n);
  };
  const before = await balance();

  const user = context.boundViewer;
  const response = await fetch(`${runtime.apiUrl}/claims/${encodeURIComponent(user)}/transactions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${context.boundSession}` },
  });
  const answer = (await response.json()) as ClaimTransactionsView & { error?: { message: string } };
  if (response.status !== 200) {
    throw new Error(
      `POST /claims/${user}/transactions answered ${response.status}: ${answer.error?.message}`,
    );
  }
  if (answer.wallet !== address)
    throw new Error(`the transactions name wallet ${answer.wallet}, not ${address}`);
  const claims = answer.transactions.flatMap((t) => t.claims);
  const key = (claim: { epoch: number; channel: string; index: number }) =>
    `${claim.epoch}:${claim.channel}:${claim.index}`;
  const servedKey = `${String(served['epoch'])}:${String(served['channel'])}:${String(served['index'])}`;
  if (!claims.some((claim) => key(claim) === servedKey)) {
    throw new Error(`the transactions do not claim the served leaf ${servedKey}`);
  }
  const lastValidBlockHeight = BigInt(answer.lastValidBlockHeight);
  const signatures: string[] = [];
  for (const { transaction } of answer.transactions) {
    const signed = Transaction.from(Buffer.from(transaction, 'base64'));
    signed.partialSign(wallet);
    const signature = await client.sendTransaction({
      signature: bs58.encode(signed.signature ?? new Uint8Array()),
      wireTransaction: new Uint8Array(signed.serialize()),
      lifetime: { blockhash: answer.blockhash, lastValidBlockHeight },
    });
    await client.confirmTransaction(signature, lastValidBlockHeight);
    signatures.push(signature);
  }
  const amount = claims.reduce((sum, claim) => sum + BigInt(claim.amount), 0n);
  const after = await balance();
  if (after - before !== amount) {
    throw new Error(`the claims landed but the token balance grew by ${after - before}, not ${amount}`);
  }
  const program = createAttentionProgram(c.ATTENTION_PROGRAM_ID);
  const channel = served['channel'] as string;
  const state = await client.getAccount(program.channelStateAddress(mint.mint, channel));
  const standing = channelSlotStanding(
    decodeChannelState(state?.data ?? new Uint8Array()),
    toOnChainEpoch(served['epoch'] as number, mint.epochUnit),
  );
  const leafClaimedOnChain =
    standing.kind === 'present' && isClaimed(standing.slot.claimedBitmap, served['index'] as number);
  if (!leafClaimedOnChain) throw new Error('the claim landed but the leaf is not marked claimed on chain');
  return {
    signatures,
    wallet: address,
    claims: claims.map(key),
    amount: amount.toString(),
    balanceBefore: before.toString(),
    balanceAfter: after.toString(),
    leafClaimedOnChain,
  };
}
