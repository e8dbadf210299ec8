/** The attention oracle's claim routes: what a user can claim, proofs, and sealed epochs. */
import { channel, epoch, user, walletBinding } from './attention-schemas.ts';
import { decimalString, defineRoute, isoTime } from './route-contract.ts';
import { z } from './zod.ts';

const publication = z
  .object({
    status: z.string().openapi({ examples: ['pending', 'queued', 'sent', 'published', 'expired'] }),
    mode: z.string().openapi({ examples: ['memo', 'program'] }),
    mint: z.string().nullable(),
    signature: z.string().nullable().openapi({ description: 'Solana transaction signature' }),
    slot: z.number().int().nullable(),
    publishedAt: isoTime.nullable(),
  })
  .openapi('Publication');

const claim = z
  .object({
    epoch: z.number().int(),
    channel: z.string(),
    kind: z.enum(['channel', 'category', 'carry']),
    tokenGroup: z.string(),
    index: z.number().int().nonnegative(),
    amount: decimalString.openapi({ description: 'Token base units (u64)' }),
    id: z.string().openapi({ description: "The claimer's user_hash" }),
    claimer: z.string().openapi({ description: 'The wallet bound when the tree was built (base58)' }),
    leaf: z.string().openapi({ description: 'The leaf hash, 0x-prefixed hex' }),
    proof: z.array(z.string()).openapi({ description: 'Sibling hashes from the leaf up, 0x-prefixed hex' }),
    root: z.string(),
    format: z.enum(['claim-v1', 'claim-v2']),
    publication: publication.nullable(),
  })
  .openapi('Claim');

const userClaims = z
  .object({
    user: z.string(),
    userHash: z.string(),
    wallet: walletBinding.nullable(),
    claims: z.array(
      claim.extend({
        claimStatus: z.enum(['unclaimed', 'unknown']).openapi({
          description:
            "`unclaimed` when the root's on-chain claimed bitmap says so (program mode); `unknown` when the chain cannot tell (memo mode, root not landed yet)",
        }),
      }),
    ),
    claimed: z
      .array(
        z.object({
          epoch: z.number().int(),
          channel: z.string(),
          index: z.number().int().nonnegative(),
          amount: decimalString,
        }),
      )
      .openapi({ description: 'Leaves of claimable roots that the chain says were claimed already' }),
    carried: z.array(
      z.object({
        tokenGroup: z.string(),
        amount: decimalString,
        waitingForBinding: z
          .boolean()
          .openapi({ description: 'No wallet is bound: the amount is paid in a carry tree once one is' }),
      }),
    ),
  })
  .openapi('UserClaims');

const claimedLeaf = z.object({
  epoch: z.number().int(),
  channel: z.string(),
  tokenGroup: z.string(),
  index: z.number().int().nonnegative(),
  amount: decimalString.openapi({ description: 'Token base units (u64)' }),
});

const epochChannel = z
  .object({
    channel: z.string(),
    kind: z.enum(['channel', 'category', 'carry']),
    tokenGroup: z.string(),
    category: z.string().nullable(),
    sealed: z
      .object({ participants: z.number().int(), totalWeight: decimalString, sealedAt: isoTime })
      .nullable()
      .openapi({ description: 'Null for pooled trees (category, carry)' }),
    tree: z
      .object({
        outcome: z.string().openapi({ examples: ['stored', 'empty', 'skipped'] }),
        candidates: z.number().int(),
        leaves: z.number().int(),
        totalAmount: decimalString,
        carried: z.number().int(),
        carriedAmount: decimalString,
        overflow: z.number().int(),
        builtAt: isoTime,
        root: z.string().nullable(),
        format: z.string().nullable(),
      })
      .nullable()
      .openapi({ description: 'Null until the trees of the epoch are built' }),
    publication: publication.nullable(),
  })
  .openapi('EpochChannel');

export const CLAIM_ROUTES = {
  'GET /claims/{user}': defineRoute({
    tag: 'attention',
    summary: 'Everything a user can claim now',
    description:
      'Every leaf of the user in a root that can still be claimed (not expired from the ring) and not claimed on chain, the leaves already claimed, and the balances carried while no wallet is bound.',
    params: z.object({ user }),
    responses: { 200: { description: 'Claims and carried balances', schema: userClaims } },
    errors: { 400: '`user` is neither a login nor a user_hash' },
  }),
  'POST /claims/{user}/transactions': defineRoute({
    tag: 'attention',
    summary: "The signed-in viewer's claims as transactions to sign",
    description: [
      "Unsigned, serialized `claim_channel_open` transactions (legacy, base64) for every leaf the viewer can claim now: its root published to the attention program and built for the wallet bound now. The fee payer and claimer is that wallet; its wallet signs and sends them before `lastValidBlockHeight` (ask again after it: the blockhash expires). As few transactions as fit Solana's 1,232-byte limit; the program's claim creates the wallet's Token-2022 account for the mint when it has none (the wallet pays its rent).",
      'Needs a viewer session of the same Twitch login as `user`. Leaves that cannot be claimed this way are listed in `skipped` with the reason (root not on chain yet, built for an earlier wallet).',
    ].join(' '),
    session: 'viewer',
    params: z.object({ user }),
    responses: {
      200: {
        description: 'The transactions, and the leaves left out',
        schema: z
          .object({
            userHash: z.string(),
            wallet: z.string().openapi({ description: 'The bound wallet: fee payer and claimer (base58)' }),
            blockhash: z.string(),
            lastValidBlockHeight: decimalString,
            transactions: z.array(
              z.object({
                transaction: z.string().openapi({
                  description: "Serialized legacy transaction, base64, the wallet's signature empty",
                }),
                claims: z.array(claimedLeaf),
              }),
            ),
            skipped: z.array(claimedLeaf.extend({ reason: z.string() })),
          })
          .openapi('ClaimTransactions'),
      },
    },
    errors: {
      400: '`user` is neither a login nor a user_hash',
      401: 'no viewer session, or an unknown or expired one',
      403: "the session is another Twitch login's",
      409: 'the deployment publishes roots as memos (claims need the attention program), or no wallet is bound',
      503: 'the Solana RPC is unreachable or not configured',
    },
  }),
  'GET /claims/{epoch}/{channel}/{user}': defineRoute({
    tag: 'attention',
    summary: 'One leaf with its merkle proof',
    params: z.object({ epoch, channel, user }),
    responses: { 200: { description: 'The leaf, its proof and root', schema: claim } },
    errors: {
      400: 'the epoch, channel or user cannot exist',
      404: 'no tree or no leaf; the message says why (not sealed, carried, beyond capacity, ...)',
    },
  }),
  'GET /epochs': defineRoute({
    tag: 'attention',
    summary: 'Sealed epochs, newest first',
    query: z
      .object({
        limit: z.coerce
          .number()
          .int('limit must be an integer')
          .min(1, 'limit must be between 1 and 500')
          .max(500, 'limit must be between 1 and 500')
          .default(48),
        before: z.coerce
          .number()
          .int('before must be an integer')
          .positive('before must be positive')
          .optional()
          .openapi({ description: 'Only epochs before this one (paging)' }),
      })
      .strict(),
    responses: {
      200: {
        description: 'Sealed epochs',
        schema: z.object({
          epochs: z.array(
            z.object({
              epoch: z.number().int(),
              channels: z.number().int(),
              participants: z.number().int(),
              sealedAt: isoTime,
              trees: z.number().int(),
            }),
          ),
        }),
      },
    },
    errors: { 400: 'a query parameter is malformed or unknown' },
  }),
  'GET /epochs/{epoch}': defineRoute({
    tag: 'attention',
    summary: 'An epoch: its sealed channels and every tree',
    params: z.object({ epoch }),
    responses: {
      200: {
        description: 'The epoch',
        schema: z
          .object({
            epoch: z.number().int(),
            startsAt: isoTime,
            channels: z.array(epochChannel),
            pooledTrees: z.array(epochChannel).openapi({
              description: 'Category and carry trees, and every shard tree past the first (`<name>~k`)',
            }),
          })
          .openapi('Epoch'),
      },
    },
    errors: { 400: 'the epoch is not the start of an hour', 404: 'nothing is sealed in the epoch' },
  }),
  'GET /epochs/{epoch}/channels/{channel}': defineRoute({
    tag: 'attention',
    summary: 'One channel or pseudo-channel of an epoch: seal, tree, publication',
    params: z.object({ epoch, channel }),
    responses: { 200: { description: 'The channel', schema: epochChannel } },
    errors: { 400: 'the epoch or channel cannot exist', 404: 'the channel has no seal or tree in the epoch' },
  }),
} as const;
