/** The token market's token generation routes: claiming tokens for credentials, and their stats. */
import { decimalString, defineRoute, evmAddress, isoTime } from './route-contract.ts';
import { z } from './zod.ts';

const tokenClaim = z.object({
  claimId: z.string(),
  credentialId: z.string(),
  holder: z.string(),
  amount: decimalString,
  status: z.enum(['pending', 'queued', 'minted', 'failed']),
  txHash: z.string().nullable(),
  created: z.boolean().openapi({ description: 'False when the request repeated an earlier claim' }),
});
export const TOKEN_GENERATION_ROUTES = {
  'POST /api/generate/claim/{credentialId}': defineRoute({
    session: 'market',
    tag: 'market',
    summary: "Claim and mint what a credential accrued (the holder's session)",
    description:
      "Only the credential's holder, signed in with Ethereum, can claim, for at least the claim minimum (`EMISSION_CLAIM_MINIMUM` base units), and once per credential within the cooldown (`EMISSION_CLAIM_COOLDOWN_SECONDS`). An `Idempotency-Key` header (or `requestId` in the body) makes a retried request the same claim; without one, a repeat after the balance was emptied answers with the latest claim.",
    params: z.object({ credentialId: z.string().min(1).max(200) }),
    headers: z.object({ 'idempotency-key': z.string().min(1).max(200).optional() }),
    body: { schema: z.object({ requestId: z.string().min(1).max(200).optional() }), required: false },
    responses: {
      201: { description: 'Claimed', schema: tokenClaim },
      200: { description: 'A repeat: the earlier claim as it stands', schema: tokenClaim },
    },
    errors: {
      400: 'the credential id, key or body is malformed',
      403: "the session's address is not the credential's holder",
      404: 'the credential has no balance',
      409: 'the credential has nothing to claim, or less than the claim minimum',
      429: 'the credential was claimed within its cooldown (`Retry-After` says when it ends)',
    },
  }),
  'GET /api/generate/claimable/{address}': defineRoute({
    tag: 'market',
    summary: "What each of a holder's credentials can claim now",
    params: z.object({ address: evmAddress }),
    responses: {
      200: {
        description: 'Claimable amounts',
        schema: z.object({
          holder: z.string(),
          total: decimalString,
          credentials: z.array(
            z.object({
              credentialId: z.string(),
              claimable: decimalString,
              accruedUntil: z.number().int(),
            }),
          ),
        }),
      },
    },
    errors: { 400: 'the address is malformed' },
  }),
  'GET /api/generate/stats': defineRoute({
    tag: 'market',
    summary: 'Token generation statistics',
    responses: {
      200: {
        description: 'Statistics',
        schema: z.object({
          credentials: z.number().int(),
          activeCredentials: z.number().int(),
          tokensAccrued: decimalString,
          tokensClaimed: decimalString,
          claims: z.number().int(),
          claimsMinted: z.number().int(),
          jobs: z.number().int(),
          lastJobAt: isoTime.nullable(),
        }),
      },
    },
    errors: {},
  }),
} as const;
