/** The attention oracle's routes: ingest, opt-out, wallet binding, claims and sealed epochs. */
import {
  ingestRequestBody,
  MAX_AMOUNT_PER_EVENT,
  MAX_EVENTS_PER_REQUEST,
} from '../../../layers/shared/src/core/attention/ingest-request.ts';
import { RESERVED_KEY_IDS } from '../../../layers/shared/src/core/attention/signals.ts';
import { parseChannel, parseEpoch } from '../../../layers/shared/src/services/attention/claims.ts';
import { userHashOf } from '../../../layers/shared/src/services/attention/wallet-binding.ts';
import { CREDENTIAL_NAME } from '../../../layers/shared/src/services/platform/api-auth.ts';
import { decimalString, defineRoute, isoTime, parsedBy } from './route-contract.ts';
import { z } from './zod.ts';

const epoch = parsedBy(parseEpoch).openapi({
  description: "Unix time in seconds of the epoch's hour (a multiple of 3600)",
  pattern: '^[0-9]{1,12}$',
  example: '1750003200',
});
const channel = parsedBy(parseChannel).openapi({
  description:
    "A Twitch login, or a pseudo-channel `category:<category>:<group>` or `carry:<group>` (colons plain or percent-encoded), any case; a channel or category tree past one tree's capacity continues in shards `<name>~2`, `<name>~3`, … (`~` plain or `%7E`)",
  example: 'music_chan',
});
const user = parsedBy(userHashOf).openapi({
  description: 'A Twitch login, or its user_hash (keccak256 of the lowercase login, 64 hex characters)',
  example: 'alice_1',
});

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

// No username: it would turn the user_hash published on chain back into a Twitch login.
const walletBinding = z
  .object({
    userHash: z.string(),
    wallet: z.string().openapi({ description: 'Solana public key, base58' }),
    boundAt: isoTime,
  })
  .openapi('WalletBinding');

/** The binder's own answer, which may name their login. */
const walletBound = walletBinding
  .extend({ username: z.string(), twitchUserId: z.string() })
  .openapi('WalletBound');

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

const suppression = z
  .object({
    userHash: z.string(),
    alreadySuppressed: z.boolean(),
    participationRowsDeleted: z.number().int(),
    mappingDeleted: z.boolean(),
    bindingRemoved: z
      .boolean()
      .openapi({ description: 'A wallet binding was ended (kept in the history as `opted-out`)' }),
  })
  .openapi('Suppression');

const optOutReason = z
  .object({ reason: z.string().max(500, 'reason must be at most 500 characters').optional() })
  .strict();

const text = (name: string) =>
  z
    .string({ required_error: `${name} is required`, invalid_type_error: `${name} must be a string` })
    .max(512);

export const ATTENTION_ROUTES = {
  'POST /ingest': defineRoute({
    tag: 'attention',
    summary: 'Send engagement events',
    description: `Outside producers' events, validated as a whole (nothing is enqueued unless every event is valid; a refusal names the event index and the field) and enqueued for the ingest writer. At most ${MAX_EVENTS_PER_REQUEST} events; an event counts at most ${MAX_AMOUNT_PER_EVENT.bits.toLocaleString('en-US')} bits, ${MAX_AMOUNT_PER_EVENT.gift.toLocaleString('en-US')} gifted subs or ${MAX_AMOUNT_PER_EVENT.raid.toLocaleString('en-US')} raiders (far above anything Twitch produces); a client \`ts\` more than 5 minutes from server time is replaced by the receive time. Rate limited per source IP; each ingest API key has a quota of events per minute and per hour, and its events are stored with its name.`,
    body: { schema: ingestRequestBody, required: true },
    responses: {
      202: {
        description: 'Enqueued',
        schema: z.object({
          received: z.number().int(),
          enqueued: z.number().int(),
          messages: z.number().int().openapi({ description: 'Queue messages the events were packed into' }),
        }),
      },
    },
    errors: {
      400: 'the body or an event is malformed, or an event counts more than its cap',
      429: "the per-IP limit or the key's quota of events is exceeded, or the queue refused part of the request (see `retry-after`)",
    },
  }),
  'POST /admin/ingest-keys/{keyId}/void': defineRoute({
    tag: 'attention',
    summary: "Void one ingest API key's events in epochs not yet sealed",
    description:
      'For a key that was leaked or misused: every event it sent to an (epoch, channel) not sealed yet is removed, with the participation and weight built from them, in one transaction; what was sealed stays. Revoke the key first (remove it from `IngestApiKeys`; it stops working within 60 s) and let the ingest queue drain, then void: voiding again is safe and removes what arrived since. The answer is the audit record: the counts, and which admin token voided the key.',
    params: z.object({
      keyId: z
        .string()
        .regex(CREDENTIAL_NAME, 'keyId must be a key name: 1–64 of A-Z, a-z, 0-9, _, . and -')
        .refine(
          (name) => !RESERVED_KEY_IDS.has(name),
          'keyId must name an ingest API key, not irc or unattributed',
        )
        .openapi({ description: "The key's name in the IngestApiKeys secret", example: 'partner-a' }),
    }),
    responses: {
      200: {
        description: 'Voided (an unknown key or one with nothing left to void answers with zero counts)',
        schema: z
          .object({
            keyId: z.string(),
            voidedBy: z.string().openapi({ description: 'The name of the admin token that voided the key' }),
            voidedAt: isoTime,
            epochChannels: z
              .number()
              .int()
              .openapi({ description: '(epoch, channel) pairs not sealed yet that held events of the key' }),
            eventsRemoved: z.number().int(),
            participationRowsDeleted: z
              .number()
              .int()
              .openapi({ description: "Viewers' rows that held nothing but the key's events" }),
            participationRowsRecomputed: z
              .number()
              .int()
              .openapi({ description: "Viewers' rows that keep other events, the key's part taken out" }),
            eventsLeftInSealedEpochs: z
              .number()
              .int()
              .openapi({ description: 'Events of the key in sealed epochs, left as sealed' }),
          })
          .openapi('VoidedIngestKey'),
      },
    },
    errors: { 400: '`keyId` is not a key name, or names the IRC worker or unattributed events' },
  }),
  'POST /suppressions': defineRoute({
    tag: 'attention',
    summary: 'Opt a viewer out',
    description:
      'The viewer joins the suppression list; their username mapping, unsealed participation and wallet binding are deleted in the same transaction, and their later events are dropped at ingest. What was already sealed stays, and so does their carried balance. Only an admin lifts a suppression an admin made.',
    body: {
      schema: z
        .object({
          user: z
            .string({ required_error: 'user is required', invalid_type_error: 'user must be a string' })
            .min(1)
            .max(128)
            .openapi({ description: 'A Twitch login or a user_hash' }),
          reason: z.string().max(500, 'reason must be at most 500 characters').optional(),
        })
        .strict(),
      required: true,
    },
    responses: {
      201: { description: 'Suppressed now', schema: suppression },
      200: { description: 'Already suppressed', schema: suppression },
    },
    errors: { 400: 'the body is malformed, or `user` is neither a login nor a user_hash' },
  }),
  'POST /suppressions/self': defineRoute({
    tag: 'attention',
    summary: 'The signed-in viewer opts themself out',
    description:
      "Needs a viewer session from the Twitch sign-in. The session's login joins the suppression list; its username mapping, unsealed participation and wallet binding are deleted in the same transaction (the binding is kept in the history and announced as WalletRebound, reason `opted-out`), its later events are dropped at ingest, and no wallet can be bound while it stays suppressed. What was sealed stays, and the carried balance stays the viewer's: paid in a carry tree once they lift the opt-out and bind a wallet again. Leaves already published remain claimable by the wallet they were built for.",
    session: 'viewer',
    body: { schema: optOutReason, required: false },
    responses: {
      201: { description: 'Opted out now', schema: suppression },
      200: { description: 'Already opted out', schema: suppression },
    },
    errors: {
      400: 'the body is malformed',
      401: 'no viewer session, or an unknown or expired one',
    },
  }),
  'DELETE /suppressions/self': defineRoute({
    tag: 'attention',
    summary: 'The signed-in viewer lifts their own opt-out',
    description:
      "Needs a viewer session from the Twitch sign-in. Collection resumes with the viewer's next events, and a wallet can be bound again (`POST /wallets/bind`, with a sign-in made after the opt-out's binding), which pays the carried balance in the next carry tree. A suppression an admin made is not lifted (403).",
    session: 'viewer',
    responses: {
      200: { description: 'Lifted', schema: z.object({ userHash: z.string() }).openapi('SuppressionLifted') },
    },
    errors: {
      401: 'no viewer session, or an unknown or expired one',
      403: 'an admin opted the login out',
      409: 'the login is not opted out',
    },
  }),
  'POST /wallets/bind': defineRoute({
    tag: 'attention',
    summary: 'Bind a Solana wallet to the signed-in Twitch user',
    description: [
      "Needs a viewer session from the Twitch sign-in; a Twitch token is not accepted. The wallet signs (ed25519) the canonical message `engagement-oracle wallet binding\\nstage: <stage>\\napi: <API origin>\\ntwitch user id: <id>\\nusername: <login>\\nwallet: <base58>\\nnonce: <nonce>\\nexpires: <expiresAt>`, with this deployment's stage and API origin and the session's Twitch user id and login (`POST /auth/twitch/session` answers them).",
      'A nonce is accepted once; a message may expire at most an hour ahead. A binding ends the user’s previous one and any other binding of the same login (a reused login); a rebinding needs a sign-in made after the current binding.',
    ].join(' '),
    session: 'viewer',
    body: {
      schema: z
        .object({
          wallet: text('wallet').openapi({ description: 'Solana public key, base58' }),
          nonce: text('nonce').openapi({ description: '8–128 of A-Z, a-z, 0-9, _ and -' }),
          expiresAt: text('expiresAt').openapi({
            description: 'ISO-8601 UTC exactly as toISOString() writes it',
            example: '2026-01-01T10:15:00.000Z',
          }),
          signature: text('signature').openapi({
            description: '64-byte ed25519 signature, base58 or base64',
          }),
        })
        .strict(),
      required: true,
    },
    responses: { 201: { description: 'Bound', schema: walletBound } },
    errors: {
      400: 'a field is malformed, or the message expired',
      401: 'no viewer session, or an unknown or expired one; the signature does not verify; or a rebinding without a sign-in made after the current binding',
      409: 'the nonce was already used, or the login opted out (lift it first)',
    },
  }),
  'GET /wallets/{user}': defineRoute({
    tag: 'attention',
    summary: 'The wallet bound for a user',
    description:
      'What a claimer needs: the user_hash, the wallet that claims its leaves and when it was bound. The username is never answered, so a user_hash read on chain is not turned back into a login.',
    params: z.object({ user }),
    responses: { 200: { description: 'The binding', schema: walletBinding } },
    errors: { 400: '`user` is neither a login nor a user_hash', 404: 'no wallet is bound' },
  }),
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
