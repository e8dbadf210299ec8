/**
 * Sending a root's transaction exactly once (DESIGN.md section 5, "Publishing"): the signature,
 * its blockhash lifetime and the signed bytes are recorded before the transaction goes out, so
 * after a crash the next attempt asks the chain about that signature. It resends the same bytes
 * while the blockhash is valid and signs again only once the blockhash has expired unseen.
 */

import type { Publication } from '../../adapters/db/attention/publication-store.ts';
import { recordSigned } from '../../adapters/db/attention/publication-store.ts';
import { ChainError } from '../../errors.ts';
import type {
  BlockhashLifetime,
  SignedTransaction,
  SolanaClient,
  SolanaInstruction,
} from '../../ports/solana.ts';
import type { PublisherDeps } from './publisher.ts';
import type { ReplacedRoot } from './replaced-roots.ts';

const MAX_SIGNINGS_PER_ATTEMPT = 3;

/** Where the root's transaction landed. */
export interface Landed {
  readonly signature: string;
  readonly slot: bigint;
}

/**
 * Sends the root's transaction until it lands (at most three signings); undefined when the root
 * may no longer be sent (the scheduler expired it before its signature was recorded).
 */
export async function sendExactlyOnce(
  deps: PublisherDeps,
  row: Publication,
  instructions: () => SolanaInstruction[],
  replaced?: ReplacedRoot,
): Promise<Landed | undefined> {
  const resumed = await resumeRecorded(deps, row);
  if (resumed?.kind === 'landed') return resumed;
  let current = resumed?.transaction;
  for (let signing = 0; signing < MAX_SIGNINGS_PER_ATTEMPT; signing++) {
    if (current === undefined) {
      current = await signAndRecord(deps, row, instructions(), replaced);
      if (current === undefined) return undefined;
    }
    try {
      await deps.solana.sendTransaction(current);
      const confirmed = await deps.solana.confirmTransaction(
        current.signature,
        current.lifetime.lastValidBlockHeight,
      );
      return { signature: current.signature, slot: confirmed.slot };
    } catch (error) {
      if (!(error instanceof ChainError && error.kind === 'blockhash')) throw error;
      // A new signature only once the old one can no longer land: landed → done; still valid →
      // the same bytes again later; expired unseen → sign again.
      const status = await deps.solana.getSignatureStatus(current.signature);
      if (status !== null && status.err === null && status.confirmationStatus !== null) {
        return { signature: current.signature, slot: status.slot };
      }
      if ((await deps.solana.getBlockHeight()) > current.lifetime.lastValidBlockHeight) {
        deps.telemetry.info('blockhash expired before the root landed; signing again', {
          epoch: row.epoch,
          channel: row.channel,
        });
        blockhashCache.delete(deps.solana);
        current = undefined;
      }
    }
  }
  throw new ChainError(
    `root for ${row.channel} epoch ${row.epoch} did not land after ${MAX_SIGNINGS_PER_ATTEMPT} signings`,
    'blockhash',
  );
}

/**
 * What a recorded signature tells after a crash: it landed; or it may have been sent and its
 * blockhash is still valid, so the same bytes go again (the chain takes one signature once);
 * or nothing (no signature, or its blockhash expired unseen: sign again).
 */
async function resumeRecorded(
  deps: PublisherDeps,
  row: Publication,
): Promise<
  | { readonly kind: 'landed'; readonly signature: string; readonly slot: bigint }
  | { readonly kind: 'resend'; readonly transaction: SignedTransaction }
  | undefined
> {
  if (row.signature === null || row.lastValidBlockHeight === null || row.signedTransaction === null) {
    return undefined;
  }
  const status = await deps.solana.getSignatureStatus(row.signature);
  if (status !== null && status.err === null && status.confirmationStatus !== null) {
    return { kind: 'landed', signature: row.signature, slot: status.slot };
  }
  const height = await deps.solana.getBlockHeight();
  // The cluster has moved past a blockhash we may have cached: ask for a fresh one.
  if (height > BigInt(row.lastValidBlockHeight)) blockhashCache.delete(deps.solana);
  if (status !== null || height > BigInt(row.lastValidBlockHeight)) return undefined;
  const lifetime = {
    blockhash: row.recentBlockhash ?? '',
    lastValidBlockHeight: BigInt(row.lastValidBlockHeight),
  };
  const wireTransaction = Buffer.from(row.signedTransaction, 'base64');
  return { kind: 'resend', transaction: { signature: row.signature, wireTransaction, lifetime } };
}

/**
 * Signs and records the transaction before it is sent, with the root it replaces: after a crash
 * the signature is asked about, never guessed, and the replaced root's claimed bitmap is the one
 * read here. Undefined when the root may no longer be sent.
 */
async function signAndRecord(
  deps: PublisherDeps,
  row: Publication,
  instructions: SolanaInstruction[],
  replaced: ReplacedRoot | undefined,
): Promise<SignedTransaction | undefined> {
  const lifetime = await recentBlockhash(deps.solana);
  const signed = await deps.solana.signTransaction(instructions, deps.signer, lifetime, {
    ...(deps.priorityFeeMicroLamports === undefined || deps.priorityFeeMicroLamports === 0n
      ? {}
      : { computeUnitPriceMicroLamports: deps.priorityFeeMicroLamports }),
  });
  const recorded = await recordSigned(deps.sql, row, {
    signature: signed.signature,
    lastValidBlockHeight: signed.lifetime.lastValidBlockHeight,
    signedTransaction: Buffer.from(signed.wireTransaction).toString('base64'),
    recentBlockhash: signed.lifetime.blockhash,
    replaces:
      replaced === undefined
        ? null
        : {
            epoch: replaced.epoch,
            bitmap: Buffer.from(replaced.claimedBitmap).toString('hex'),
            readSlot: replaced.readSlot,
          },
  });
  return recorded ? signed : undefined;
}

/**
 * A blockhash is good for about 150 blocks (a minute or more); roots signed within a couple of
 * seconds share one instead of asking the cluster each time.
 */
const BLOCKHASH_REUSE_MS = 2000;
const blockhashCache = new WeakMap<SolanaClient, { at: number; lifetime: Promise<BlockhashLifetime> }>();

function recentBlockhash(solana: SolanaClient): Promise<BlockhashLifetime> {
  const cached = blockhashCache.get(solana);
  if (cached !== undefined && Date.now() - cached.at < BLOCKHASH_REUSE_MS) return cached.lifetime;
  const lifetime = solana.getLatestBlockhash();
  blockhashCache.set(solana, { at: Date.now(), lifetime });
  lifetime.catch(() => blockhashCache.delete(solana));
  return lifetime;
}
