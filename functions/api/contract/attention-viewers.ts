/** The attention oracle's viewer routes: opting out, and binding a wallet to a Twitch login. */
import { user, walletBinding } from './attention-schemas.ts';
import { defineRoute } from './route-contract.ts';
import { z } from './zod.ts';

/** The binder's own answer, which may name their login. */
const walletBound = walletBinding
  .extend({ username: z.string(), twitchUserId: z.string() })
  .openapi('WalletBound');

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
export const VIEWER_ROUTES = {
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
} as const;
