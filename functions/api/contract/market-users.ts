/**
 * Market users: Sign-In with Ethereum (EIP-4361: a nonce, a session, sign-out) and the double
 * opt-in of their email address (a link) and phone number (a code).
 */

import { MAX_CODE_ATTEMPTS } from '../../../layers/shared/src/services/market/contact-verification.ts';
import { defineRoute, isoTime } from './route-contract.ts';
import { z } from './zod.ts';

const offer = z
  .object({
    nonce: z.string().openapi({ description: 'Single use; goes into the message as `Nonce`' }),
    domain: z
      .string()
      .openapi({ description: 'The `domain` the message must name', example: 'app.example.org' }),
    uri: z.string().openapi({ description: 'The `URI` the message must name' }),
    chainId: z.number().int().openapi({ description: 'The `Chain ID` the message must name' }),
    version: z.literal('1'),
    statement: z
      .string()
      .openapi({ description: 'A statement for the wallet to show (optional in the message)' }),
    issuedAt: isoTime,
    expiresAt: isoTime.openapi({ description: 'Sign in with the nonce before this time' }),
  })
  .openapi('SignInOffer');

const emailToken = z
  .string()
  .regex(/^[A-Za-z0-9_-]{43}$/, 'expected the token of a confirmation link')
  .openapi({ description: 'From the confirmation link' });

const verified = z
  .object({
    userId: z.string(),
    channel: z.enum(['email', 'sms']),
    contact: z.string().openapi({ description: 'The email address or phone number now confirmed' }),
  })
  .openapi('ContactConfirmed');

const session = z
  .object({
    token: z
      .string()
      .openapi({ description: 'Send as `Authorization: Bearer <token>`; shown once, stored hashed' }),
    address: z.string().openapi({ description: 'The signed-in address, lowercase' }),
    expiresAt: isoTime,
  })
  .openapi('MarketSession');

export const MARKET_USER_ROUTES = {
  'POST /api/auth/nonce': defineRoute({
    tag: 'market',
    summary: 'A nonce to sign in with Ethereum',
    description:
      'Sign an EIP-4361 message with this nonce and the domain, URI and chain ID given here, then send it to `POST /api/auth/session`. A nonce is good for one sign-in within 10 minutes; an IP address holds a limited number of unused ones.',
    responses: { 201: { description: 'The nonce and what the message must name', schema: offer } },
    errors: { 429: 'this IP address holds too many unused nonces (`Retry-After` says when one expires)' },
  }),
  'POST /api/auth/session': defineRoute({
    tag: 'market',
    summary: 'Sign in with Ethereum: a signed EIP-4361 message for a session',
    description:
      "The message must name this API's domain, URI and chain ID and a nonce it issued, be issued within the nonce's lifetime, and be signed (EIP-191 `personal_sign`) by the address it names. Contract wallets (EIP-1271) are not accepted.",
    body: {
      schema: z.object({
        message: z
          .string()
          .min(1)
          .max(4096)
          .openapi({ description: 'The EIP-4361 message, exactly as signed' }),
        signature: z
          .string()
          .regex(/^0x[0-9a-fA-F]{130}$/, 'expected a 65-byte signature as 0x-prefixed hex')
          .openapi({ description: 'The 65-byte signature, 0x-prefixed hex' }),
      }),
      required: true,
    },
    responses: { 201: { description: 'Signed in', schema: session } },
    errors: {
      400: 'the body, or the message, is malformed',
      401: 'the message names another domain, URI or chain, is too old, its signature does not verify, or its nonce is unknown, used or expired',
    },
  }),
  'DELETE /api/auth/session': defineRoute({
    session: 'market',
    tag: 'market',
    summary: 'Sign out: the presented session ends',
    responses: { 200: { description: 'Signed out', schema: z.object({ signedOut: z.literal(true) }) } },
    errors: {},
  }),
  'GET /api/notifications/verify/email': defineRoute({
    tag: 'market',
    summary: "The page an email's confirmation link opens",
    description:
      'Shows one button that posts the token to `POST /api/notifications/verify/email`. Opening the link changes nothing, so a mail scanner that follows links confirms nobody.',
    query: z.object({ token: emailToken }),
    responses: {
      200: { description: 'The confirmation page', schema: z.string(), contentType: 'text/html' },
    },
    errors: { 400: 'the token is malformed' },
  }),
  'POST /api/notifications/verify/email': defineRoute({
    tag: 'market',
    summary: 'Confirm an email address with the token its link carried',
    description:
      'Also takes the form the confirmation page posts (`application/x-www-form-urlencoded`), and then answers with a page.',
    body: { schema: z.object({ token: emailToken }), required: true },
    responses: { 200: { description: 'Confirmed', schema: verified } },
    errors: {
      400: 'the token is malformed',
      404: 'the token is unknown, already used or expired, or its address was replaced since',
    },
  }),
  'POST /api/notifications/verify/sms': defineRoute({
    session: 'market',
    tag: 'market',
    summary: "Confirm the signed-in user's phone number with the code it received",
    description: `A code is good for 15 minutes and ${MAX_CODE_ATTEMPTS} attempts.`,
    body: {
      schema: z.object({ code: z.string().regex(/^\d{6}$/, 'expected the 6 digits of the code') }),
      required: true,
    },
    responses: { 200: { description: 'Confirmed', schema: verified } },
    errors: {
      400: 'the code is malformed, or not the one sent (the answer says how many attempts are left)',
      404: 'no code is waiting for this user',
      409: 'the code took too many wrong attempts; subscribe again for a new one',
    },
  }),
} as const;
