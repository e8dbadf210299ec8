/**
 * The HTTP API's Lambda authorizer (simple responses): ingest routes need an ingest API key
 * (`x-api-key`), admin routes an admin token (`Authorization: Bearer`). Which one a route needs
 * comes from the same registry the routes are deployed from.
 */
import type { APIGatewayRequestAuthorizerEventV2 } from 'aws-lambda';
import { logger, powertoolsTelemetry } from '../../../layers/shared/src/observability.ts';
import {
  authorize,
  type CredentialContext,
  KeyRing,
} from '../../../layers/shared/src/services/platform/api-auth.ts';
import { FUNCTIONS } from '../../../lib/functions.ts';
import { authorizer } from '../../authorizer-handler.ts';
import type { PlatformOf } from '../../handler-entry.ts';

const ROUTE_AUTH = new Map<string, 'apiKey' | 'admin'>();
for (const spec of FUNCTIONS) {
  if (spec.trigger.kind !== 'http') continue;
  for (const route of spec.trigger.routes) {
    if (route.auth !== 'none') ROUTE_AUTH.set(`${route.method} ${route.path}`, route.auth);
  }
}

export interface AuthorizerDeps {
  readonly rings: { readonly ingest: KeyRing; readonly admin: KeyRing };
}

/** The key rings outlive an invocation: they cache the secrets within the key-change budget. */
export function authorizerDependencies(
  platform: PlatformOf<'INGEST_API_KEYS_SECRET_ARN' | 'ADMIN_TOKENS_SECRET_ARN'>,
): AuthorizerDeps {
  const { secrets, config } = platform;
  const deps = { secrets, telemetry: powertoolsTelemetry };
  return {
    rings: {
      ingest: new KeyRing(deps, config.INGEST_API_KEYS_SECRET_ARN),
      admin: new KeyRing(deps, config.ADMIN_TOKENS_SECRET_ARN),
    },
  };
}

/**
 * An accepted request carries the credential's kind and name in its context, which API Gateway
 * hands to the route in `requestContext.authorizer.lambda` (read it with `credentialName` in
 * ../http.ts).
 */
export async function handle(
  event: APIGatewayRequestAuthorizerEventV2,
  deps: AuthorizerDeps,
): Promise<{ isAuthorized: boolean; context?: CredentialContext }> {
  const needs = ROUTE_AUTH.get(event.routeKey);
  if (needs === undefined) {
    // A route the registry does not protect should never reach an authorizer: refuse.
    logger.warn('authorizer called for a route without auth', { routeKey: event.routeKey });
    return { isAuthorized: false };
  }
  let context: CredentialContext | undefined;
  try {
    context = await authorize(deps.rings, needs === 'apiKey' ? 'ingest' : 'admin', event.headers ?? {});
  } catch (error) {
    // Thrown, not refused: API Gateway caches a refusal for the credential, never an error.
    logger.error('the authorizer could not read its keys', {
      routeKey: event.routeKey,
      error: (error as Error).message,
    });
    throw error;
  }
  if (context === undefined) {
    logger.info('request refused by the authorizer', { routeKey: event.routeKey, needs });
    return { isAuthorized: false };
  }
  return { isAuthorized: true, context };
}

export const handler = authorizer(authorizerDependencies, handle, {
  require: ['INGEST_API_KEYS_SECRET_ARN', 'ADMIN_TOKENS_SECRET_ARN'],
});
