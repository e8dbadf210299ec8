/**
 * `POST /claims/{user}/transactions`: the viewer's claims as unsigned `claim_channel_open`
 * transactions their wallet signs and sends. Only the signed-in viewer gets theirs, and the
 * claimer is the wallet bound now: a leaf names the wallet bound when its tree was built, so a
 * leaf built for an earlier wallet is listed as skipped (that wallet can still claim it).
 *
 * The program's claim creates the claimer's Token-2022 account when it does not exist yet
 * (init_if_needed, paid by the claimer), so no separate instruction is needed; leaves are
 * packed into as few legacy transactions as fit the packet limit, in epoch order.
 */
import { userHash } from '../../core/attention/user-hash.ts';
import { fromHex } from '../../core/merkle/index.ts';
import type { SolanaInstruction } from '../../core/solana/instruction.ts';
import { toOnChainEpoch } from '../../core/solana/onchain-epoch.ts';
import { ConflictError, DependencyError, ForbiddenError } from '../../errors.ts';
import type { AttentionProgram, BlockhashLifetime, SolanaClient } from '../../ports/solana.ts';
import type { ClaimsReader, UserClaimView } from './claims.ts';
import type { MintConfig } from './publisher.ts';
import type { ViewerIdentity } from './twitch-sign-in.ts';
import { userHashOf } from './wallet-binding.ts';

export interface ClaimTransactionsDeps {
  readonly claims: Pick<ClaimsReader, 'userClaims'>;
  /** Undefined where no Solana RPC is configured: program mode then answers 503. */
  readonly solana: Pick<SolanaClient, 'getLatestBlockhash' | 'serializeUnsignedTransaction'> | undefined;
  readonly program: Pick<AttentionProgram, 'claimChannelOpen'>;
  readonly mode: 'memo' | 'program';
  readonly mints: Readonly<Record<string, MintConfig>>;
}

export interface ClaimedLeafRef {
  readonly epoch: number;
  readonly channel: string;
  readonly tokenGroup: string;
  readonly index: number;
  readonly amount: string;
}

export interface SkippedLeaf extends ClaimedLeafRef {
  readonly reason: string;
}

export interface ClaimTransaction {
  /** The serialized legacy transaction, base64, the fee payer's signature slot empty. */
  readonly transaction: string;
  readonly claims: ClaimedLeafRef[];
}

export interface ClaimTransactionsView {
  readonly userHash: string;
  readonly wallet: string;
  readonly blockhash: string;
  /** The transactions can land up to this block height; ask again after it. */
  readonly lastValidBlockHeight: string;
  readonly transactions: ClaimTransaction[];
  /** Leaves listed by `GET /claims/{user}` that cannot be claimed with these transactions, each with why. */
  readonly skipped: SkippedLeaf[];
}

interface Claimable {
  readonly ref: ClaimedLeafRef;
  readonly instruction: SolanaInstruction;
}

export async function claimTransactions(
  deps: ClaimTransactionsDeps,
  viewer: ViewerIdentity,
  userParam: string,
): Promise<ClaimTransactionsView> {
  const hash = userHashOf(userParam);
  if (hash !== userHash(viewer.login)) {
    throw new ForbiddenError('a viewer session gets the claim transactions of its own Twitch login only');
  }
  if (deps.mode !== 'program') {
    throw new ConflictError(
      'claims need the attention program: this deployment publishes roots as memos (PUBLISH_MODE=memo), which no wallet can claim from',
    );
  }
  const solana = deps.solana;
  if (solana === undefined) {
    throw new DependencyError(
      'SOLANA_RPC_URL is not set: transactions need a recent blockhash from the cluster',
    );
  }
  // Read the chain now: a leaf claimed a moment ago must not come back as a transaction to sign.
  const view = await deps.claims.userClaims(hash, { claimStatusMaxAgeMs: 0 });
  if (view.wallet === null) {
    throw new ConflictError('no wallet is bound: bind one (POST /wallets/bind), then ask again');
  }
  const wallet = view.wallet.wallet;
  const claimable: Claimable[] = [];
  const skipped: SkippedLeaf[] = [];
  for (const claim of view.claims) {
    const ref = leafRef(claim);
    const reason = whyNotClaimable(deps, claim, wallet);
    if (reason !== undefined) skipped.push({ ...ref, reason });
    else claimable.push({ ref, instruction: claimInstruction(deps, claim, wallet) });
  }
  const lifetime = await solana.getLatestBlockhash();
  const packed = pack(solana, claimable, wallet, lifetime);
  return {
    userHash: hash,
    wallet,
    blockhash: lifetime.blockhash,
    lastValidBlockHeight: lifetime.lastValidBlockHeight.toString(),
    transactions: packed.transactions,
    skipped: [...skipped, ...packed.tooLarge],
  };
}

function whyNotClaimable(
  deps: ClaimTransactionsDeps,
  claim: UserClaimView,
  wallet: string,
): string | undefined {
  const publication = claim.publication;
  if (publication === null || publication.status !== 'published') {
    return 'the root is not on chain yet: ask again once it is published';
  }
  if (publication.mode !== 'program') return 'the root was published as a memo: no program holds it';
  const mint = deps.mints[claim.tokenGroup];
  if (mint === undefined || mint.mint !== publication.mint) {
    return `token group ${claim.tokenGroup} has no mint configured for this root`;
  }
  if (claim.claimer !== wallet) {
    return `the leaf was built for wallet ${claim.claimer}, bound before the current one: only that wallet can claim it`;
  }
  return undefined;
}

function claimInstruction(
  deps: ClaimTransactionsDeps,
  claim: UserClaimView,
  wallet: string,
): SolanaInstruction {
  const mint = deps.mints[claim.tokenGroup] as MintConfig;
  return deps.program.claimChannelOpen({
    claimer: wallet,
    mint: mint.mint,
    channel: claim.channel,
    epoch: toOnChainEpoch(claim.epoch, mint.epochUnit),
    index: claim.index,
    amount: BigInt(claim.amount),
    id: claim.id,
    proof: claim.proof.map((hash) => fromHex(hash, 'proof', 32)),
  });
}

/** Greedy, in order: a leaf joins the open transaction while it still fits, else starts the next. */
function pack(
  solana: Pick<SolanaClient, 'serializeUnsignedTransaction'>,
  claimable: readonly Claimable[],
  wallet: string,
  lifetime: BlockhashLifetime,
): { transactions: ClaimTransaction[]; tooLarge: SkippedLeaf[] } {
  const transactions: ClaimTransaction[] = [];
  const tooLarge: SkippedLeaf[] = [];
  let open: { claims: Claimable[]; wire: Uint8Array } | undefined;
  const close = () => {
    if (open === undefined) return;
    transactions.push({
      transaction: Buffer.from(open.wire).toString('base64'),
      claims: open.claims.map((c) => c.ref),
    });
    open = undefined;
  };
  for (const item of claimable) {
    const joined = [...(open?.claims ?? []), item];
    const wire = solana.serializeUnsignedTransaction(
      joined.map((c) => c.instruction),
      wallet,
      lifetime,
    );
    if (wire !== undefined) {
      open = { claims: joined, wire };
      continue;
    }
    close();
    const alone = solana.serializeUnsignedTransaction([item.instruction], wallet, lifetime);
    if (alone === undefined) {
      tooLarge.push({ ...item.ref, reason: 'its proof does not fit one transaction' });
    } else {
      open = { claims: [item], wire: alone };
    }
  }
  close();
  return { transactions, tooLarge };
}

function leafRef(claim: UserClaimView): ClaimedLeafRef {
  return {
    epoch: claim.epoch,
    channel: claim.channel,
    tokenGroup: claim.tokenGroup,
    index: claim.index,
    amount: claim.amount,
  };
}
