/**
 * Viewers' Twitch sign-in (services/attention/twitch-sign-in.ts): the authorization-code flow our API runs
 * with the deployment's own Twitch app, ending in a short-lived viewer session.
 */
import { defineRoute, isoTime } from './route-contract.ts';
import { z } from './zod.ts';

const text = (name: string, max: number) =>
  z
    .string({ required_error: `${name} is required`, invalid_type_error: `${name} must be a string` })
    .min(1, `${name} is required`)
    .max(max, `${name} must be at most ${max} characters`);

const authorization = z
  .object({
    authorizeUrl: z
      .string()
      .openapi({ description: "Twitch's authorize page; send the viewer's browser there" }),
    state: z.string().openapi({
      description: 'Issued for this sign-in: single use, 10 minutes. Twitch sends it back with the code.',
    }),
    redirectUri: z
      .string()
      .openapi({ description: 'Where Twitch sends the viewer back with `code` and `state`' }),
    expiresAt: isoTime,
  })
  .openapi('TwitchAuthorization');

export const viewerSession = z
  .object({
    session: z.string().openapi({
      description:
        'The viewer session: send it as `Authorization: Bearer <session>` to the routes that act for the viewer. Shown once; stored only as a hash.',
    }),
    expiresAt: isoTime,
    twitchUserId: z.string(),
    login: z.string().openapi({ description: 'The Twitch login, lowercase, as Twitch reported it' }),
    authorizedAt: isoTime.openapi({
      description: 'When this authorization was made; a rebinding needs one made after the current binding',
    }),
    deployment: z
      .object({ stage: z.string(), apiOrigin: z.string() })
      .openapi({ description: 'What a wallet binding message must name (`stage:` and `api:` lines)' }),
  })
  .openapi('ViewerSession');

export const TWITCH_SIGN_IN_ROUTES = {
  'GET /auth/twitch/authorize': defineRoute({
    tag: 'attention',
    summary: 'Start a Twitch sign-in',
    description:
      "Issues a `state` and answers the Twitch authorize URL that carries it. Send the viewer's browser to `authorizeUrl`; Twitch sends it back to `redirectUri` with `code` and `state`, which go to `POST /auth/twitch/session`.",
    query: z
      .object({
        redirectUri: z.string().url('redirectUri must be an absolute URL').optional().openapi({
          description: 'One of the configured redirect URIs (TWITCH_REDIRECT_URIS); the first by default',
        }),
      })
      .strict(),
    responses: { 200: { description: 'The authorize URL and its state', schema: authorization } },
    errors: {
      400: '`redirectUri` is not one of the configured redirect URIs',
      503: 'sign-in is not configured (no redirect URI)',
    },
  }),
  'POST /auth/twitch/session': defineRoute({
    tag: 'attention',
    summary: 'Finish a Twitch sign-in: a viewer session',
    description:
      "Consumes the state, exchanges the code at Twitch with this deployment's own app credentials, validates the token (issued to this app; the user id and login come from Twitch) and opens a viewer session. A state and a code are good for one attempt.",
    body: {
      schema: z
        .object({
          code: text('code', 512).openapi({ description: 'The `code` Twitch sent the viewer back with' }),
          state: text('state', 64).openapi({ description: 'The `state` Twitch sent the viewer back with' }),
        })
        .strict(),
      required: true,
    },
    responses: { 201: { description: 'Signed in', schema: viewerSession } },
    errors: {
      400: 'a field is malformed',
      401: 'the state is unknown, used or expired, or Twitch refused the code',
      503: 'Twitch could not be reached, or refused the app credentials',
    },
  }),
};
