/**
 * A request valid under each HTTP route's contract (functions/api/contract/), filled in with the
 * seeded data, and the statuses the contract declares for a valid request. Which routes exist
 * comes from the templates; a deployed route with no request here fails the check by name.
 * The sign-in routes and the bind route depend on each other's answers: ./sign-in-flow.ts.
 */
import { API_ROUTES } from '../../functions/api/contract/routes.ts';
import { ANVIL_DEV_ACCOUNTS } from '../../local/anvil.ts';
import { CHECK_PHONE } from './market-session-flow.ts';
import { SEED_INGEST_KEY, type SeedData } from './seed.ts';
import type { HttpRequest } from './trigger-events.ts';

/** anvil's well-known dev account 4, as an FPMM player: an address only. */
const FPMM_PLAYER = ANVIL_DEV_ACCOUNTS[4].address;

export function validRequest(routeKey: string, seed: SeedData): HttpRequest | undefined {
  const epoch = String(seed.epoch);
  const viewer = seed.viewers[1] ?? 'viewer_two';
  const bound = seed.viewers[0] ?? 'viewer_one';
  const token = seed.creatorAddress;
  const requests: Record<string, HttpRequest> = {
    'POST /ingest': {
      body: { events: [{ channel: seed.channel, user: 'http_viewer', kind: 'presence' }] },
    },
    'POST /suppressions': { body: { user: 'optout_viewer', reason: 'deployment check' } },
    // The seeded events' key: its epoch is sealed by then, so voiding it removes nothing sealed.
    'POST /admin/ingest-keys/{keyId}/void': { pathParameters: { keyId: SEED_INGEST_KEY } },
    'GET /wallets/{user}': { pathParameters: { user: bound } },
    'GET /claims/{user}': { pathParameters: { user: viewer } },
    'GET /claims/{epoch}/{channel}/{user}': {
      pathParameters: { epoch, channel: seed.channel, user: bound },
    },
    'GET /epochs': {},
    'GET /epochs/{epoch}': { pathParameters: { epoch } },
    'GET /epochs/{epoch}/channels/{channel}': { pathParameters: { epoch, channel: seed.channel } },
    'GET /creators/{address}/metrics': { pathParameters: { address: seed.creatorAddress } },
    'GET /creators/{address}/milestones': { pathParameters: { address: seed.creatorAddress } },
    'GET /creators/{address}/coin': { pathParameters: { address: seed.creatorAddress } },
    'GET /admin/sync-logs': {},
    'GET /admin/sync-health': {},
    'GET /admin/audit': {},
    'GET /admin/recovery': {},
    'GET /admin/channels': {},
    // In the registry's order: the channel is configured, then cleared.
    'PUT /admin/channels/{channel}': {
      pathParameters: { channel: 'deployment_check' },
      body: { tokenGroup: 'CLS', reason: 'deployment check' },
    },
    'DELETE /admin/channels/{channel}': { pathParameters: { channel: 'deployment_check' } },
    'GET /admin/oracle-calls': {},
    'GET /admin/alerts': {},
    ...(seed.oracleCallId === undefined
      ? {}
      : {
          'GET /admin/oracle-calls/{id}': { pathParameters: { id: seed.oracleCallId } },
          'POST /admin/oracle-calls/{id}/retry': { pathParameters: { id: seed.oracleCallId } },
        }),
    ...(seed.fpmmAddress === undefined
      ? {}
      : {
          'POST /admin/fpmm/{fpmm}/raffle-probability': {
            pathParameters: { fpmm: seed.fpmmAddress },
            body: { seasonId: 1, player: FPMM_PLAYER, probabilityBps: 2500 },
          },
          'POST /admin/fpmm/{fpmm}/market-sentiment': {
            pathParameters: { fpmm: seed.fpmmAddress },
            body: { seasonId: 1, player: FPMM_PLAYER, sentimentBps: -1500 },
          },
        }),
    'GET /api/prices/{tokenAddress}': { pathParameters: { tokenAddress: seed.marketToken } },
    'GET /api/twap/{tokenAddress}/{window}': {
      pathParameters: { tokenAddress: seed.marketToken, window: '1h' },
    },
    'GET /api/analytics/overview': {},
    'GET /api/analytics/tokens/rankings': {},
    'GET /api/analytics/trends': {},
    'GET /api/analytics/volume/{tokenAddress}': { pathParameters: { tokenAddress: token } },
    'POST /graphql': { body: { query: '{ __typename }' } },
    'POST /api/generate/claim/{credentialId}': { pathParameters: { credentialId: seed.credentialId } },
    'GET /api/generate/claimable/{address}': { pathParameters: { address: seed.credentialHolder } },
    'GET /api/generate/stats': {},
    'POST /api/notifications/subscribe': {
      body: {
        userId: seed.marketUser,
        trigger: 'epoch_published',
        email: 'deployment-check@example.org',
        phone: CHECK_PHONE,
      },
    },
    'POST /api/notifications/preferences': { body: { userId: seed.marketUser, channels: ['email'] } },
    'GET /api/notifications/history/{userId}': { pathParameters: { userId: seed.marketUser } },
    'GET /api/notifications/subscriptions': {},
    'GET /health': {},
    'GET /admin/health': {},
    'GET /openapi.json': {},
  };
  return requests[routeKey];
}

/** The 2xx statuses the route's contract declares. */
export function successStatuses(routeKey: string): number[] {
  const contract = API_ROUTES[routeKey];
  if (contract === undefined) return [];
  return Object.keys(contract.responses)
    .map(Number)
    .filter((status) => status >= 200 && status < 300);
}

/**
 * Checks beyond the status that a route's answer must pass: where the deployment has an ingest
 * queue, `/health` must check it (a function deployed without its queue URL answers 200 while
 * never looking at the queue).
 */
export function answerProblem(
  routeKey: string,
  body: unknown,
  deploymentHasIngestQueue: boolean,
): string | undefined {
  if (routeKey !== 'GET /health') return undefined;
  const names = new Set(
    Object.keys((body as { dependencies?: Record<string, unknown> } | null)?.dependencies ?? {}),
  );
  const missing = ['database', ...(deploymentHasIngestQueue ? ['queues'] : [])].filter(
    (name) => !names.has(name),
  );
  return missing.length === 0 ? undefined : `/health does not check ${missing.join(', ')}`;
}
