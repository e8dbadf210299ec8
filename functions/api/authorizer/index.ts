/**
 * The HTTP API's Lambda authorizer (simple responses): ingest routes need an ingest API key
 * (`x-api-key`), admin routes an admin token (`Authorization: Bearer`). Which one a route needs
 * comes from the same registry the routes are deployed from.
 */
import type { APIGatewayRequestAuthorizerEventV2 } from 'aws-lambda';
import { loadConfig } from '../../../layers/shared/src/config.ts';
import { logger } from '../../../layers/shared/src/observability.ts';
import { KeyRing, presentedCredential } from '../../../layers/shared/src/services/api-auth.ts';
import { FUNCTIONS } from '../../../lib/functions.ts';
import { secretStore } from '../../dependencies.ts';

const settings = loadConfig(process.env, {
  require: ['INGEST_API_KEYS_SECRET_ARN', 'ADMIN_TOKENS_SECRET_ARN'],
});

const ROUTE_AUTH = new Map<string, 'apiKey' | 'admin'>();
for (const spec of FUNCTIONS) {
  if (spec.trigger.kind !== 'http') continue;
  for (const route of spec.trigger.routes) {
    if (route.auth !== 'none') ROUTE_AUTH.set(`${route.method} ${route.path}`, route.auth);
  }
}

let rings: { apiKey: KeyRing; admin: KeyRing } | undefined;

export async function handler(event: APIGatewayRequestAuthorizerEventV2): Promise<{ isAuthorized: boolean }> {
  const needs = ROUTE_AUTH.get(event.routeKey);
  if (needs === undefined) {
    // A route the registry does not protect should never reach an authorizer: refuse.
    logger.warn('authorizer called for a route without auth', { routeKey: event.routeKey });
    return { isAuthorized: false };
  }
  rings ??= {
    apiKey: new KeyRing(secretStore(), settings.INGEST_API_KEYS_SECRET_ARN as string),
    admin: new KeyRing(secretStore(), settings.ADMIN_TOKENS_SECRET_ARN as string),
  };
  const headers = event.headers ?? {};
  const credential =
    needs === 'apiKey'
      ? presentedCredential({ 'x-api-key': headers['x-api-key'] })
      : presentedCredential({ authorization: headers['authorization'] });
  let isAuthorized: boolean;
  try {
    isAuthorized = await rings[needs].accepts(credential);
  } catch (error) {
    // Thrown, not refused: API Gateway caches a refusal for the credential, never an error.
    logger.error('the authorizer could not read its keys', {
      routeKey: event.routeKey,
      error: (error as Error).message,
    });
    throw error;
  }
  if (!isAuthorized) logger.info('request refused by the authorizer', { routeKey: event.routeKey, needs });
  return { isAuthorized };
}
