/**
 * Opt-out (API Gateway HTTP API, payload v2):
 *   POST   /suppressions       (admin) opt any viewer out
 *   POST   /suppressions/self  Authorization: Bearer <viewer session>: the viewer opts themself out
 *   DELETE /suppressions/self  the same session: the viewer lifts their own opt-out
 * Mapping, unsealed participation and the wallet binding go at once (services/attention/suppression.ts);
 * an ended binding is announced as WalletRebound.
 */
import { userHash } from '../../../layers/shared/src/core/attention/user-hash.ts';
import { NotFoundError } from '../../../layers/shared/src/errors.ts';
import { logger } from '../../../layers/shared/src/observability.ts';
import type { EventBus } from '../../../layers/shared/src/ports/event-bus.ts';
import type { Sql } from '../../../layers/shared/src/ports/sql.ts';
import {
  liftSelfSuppression,
  type SuppressionResult,
  suppressUser,
} from '../../../layers/shared/src/services/attention/suppression.ts';
import { authenticateViewer } from '../../../layers/shared/src/services/attention/twitch-sign-in.ts';
import { announceWalletRebindings } from '../../../layers/shared/src/services/attention/wallet-binding.ts';
import { httpRoute, type PlatformOf } from '../../handlers.ts';
import { ATTENTION_ROUTES } from '../contract/attention.ts';
import { adminActor, type HttpEvent, type HttpResult, header, json, parseRequest } from '../http.ts';

export interface SuppressionsDeps {
  /** Opened once a request is valid: a malformed one is refused before the database is reached. */
  database(): Promise<Sql>;
  readonly events: EventBus;
}

export function suppressionsDependencies(platform: PlatformOf<'DATABASE_URL'>): SuppressionsDeps {
  return { database: async () => (await platform.database()).sql, events: platform.eventBus() };
}

/** WalletRebound for a binding the suppression ended; a bus that is down leaves it to the next run. */
async function announce(deps: SuppressionsDeps, sql: Sql, result: SuppressionResult): Promise<void> {
  if (!result.bindingRemoved) return;
  try {
    await announceWalletRebindings({ sql, events: deps.events }, new Date());
  } catch (error) {
    logger.warn('announcing the opted-out binding failed; a later binding or seal run announces it', {
      error: (error as Error).message,
    });
  }
}

export async function handle(event: HttpEvent, deps: SuppressionsDeps): Promise<HttpResult> {
  switch (event.routeKey) {
    case 'POST /suppressions': {
      const { body } = parseRequest(ATTENTION_ROUTES['POST /suppressions'], event);
      const sql = await deps.database();
      const result = await suppressUser(sql, body.user, body.reason, adminActor(event));
      await announce(deps, sql, result);
      return json(result.alreadySuppressed ? 200 : 201, result);
    }
    case 'POST /suppressions/self': {
      const sql = await deps.database();
      const viewer = await authenticateViewer(sql, header(event, 'authorization'), new Date());
      const { body } = parseRequest(ATTENTION_ROUTES['POST /suppressions/self'], event);
      const result = await suppressUser(sql, userHash(viewer.login), body.reason, null);
      logger.info('viewer opted out', { userHash: result.userHash, bindingRemoved: result.bindingRemoved });
      await announce(deps, sql, result);
      return json(result.alreadySuppressed ? 200 : 201, result);
    }
    case 'DELETE /suppressions/self': {
      const sql = await deps.database();
      const viewer = await authenticateViewer(sql, header(event, 'authorization'), new Date());
      parseRequest(ATTENTION_ROUTES['DELETE /suppressions/self'], event);
      const lifted = await liftSelfSuppression(sql, userHash(viewer.login));
      logger.info('viewer lifted their opt-out', { userHash: lifted.userHash });
      return json(200, lifted);
    }
    default:
      throw new NotFoundError(`no route ${event.routeKey}`);
  }
}

export const handler = httpRoute(suppressionsDependencies, handle, {
  require: ['DATABASE_URL'],
  routes: ATTENTION_ROUTES,
});
