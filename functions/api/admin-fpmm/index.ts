/**
 * FPMM updates (admin): POST /admin/fpmm/{fpmm}/raffle-probability and
 * POST /admin/fpmm/{fpmm}/market-sentiment enqueue the oracle call through the delivery engine,
 * audited under the admin token's name. This function only enqueues: it never holds the signer key.
 */
import { NotFoundError } from '../../../layers/shared/src/errors.ts';
import { logger } from '../../../layers/shared/src/observability.ts';
import {
  type FpmmAdminDeps,
  type FpmmUpdateInput,
  requestFpmmUpdate,
} from '../../../layers/shared/src/services/delivery/fpmm-admin-updates.ts';
import { enqueueDependencies } from '../../delivery.ts';
import { httpRoute, type PlatformOf } from '../../handlers.ts';
import { FPMM_ROUTES } from '../contract/fpmm.ts';
import { adminActor, type HttpEvent, type HttpResult, json, parseRequest } from '../http.ts';

export async function adminFpmmDependencies(
  platform: PlatformOf<'DATABASE_URL' | 'ORACLE_CALLS_QUEUE_URL' | 'EVM_SIGNER_ADDRESS'>,
): Promise<FpmmAdminDeps> {
  return {
    ...(await enqueueDependencies(platform)),
    warn: (message: string, data: Record<string, unknown>) => logger.warn(message, data),
  };
}

export async function handle(event: HttpEvent, deps: FpmmAdminDeps): Promise<HttpResult> {
  let fpmm: string;
  let input: FpmmUpdateInput;
  switch (event.routeKey) {
    case 'POST /admin/fpmm/{fpmm}/raffle-probability': {
      const { params, body } = parseRequest(FPMM_ROUTES['POST /admin/fpmm/{fpmm}/raffle-probability'], event);
      fpmm = params.fpmm;
      input = { kind: 'raffle-probability', body };
      break;
    }
    case 'POST /admin/fpmm/{fpmm}/market-sentiment': {
      const { params, body } = parseRequest(FPMM_ROUTES['POST /admin/fpmm/{fpmm}/market-sentiment'], event);
      fpmm = params.fpmm;
      input = { kind: 'market-sentiment', body };
      break;
    }
    default:
      throw new NotFoundError(`no route ${event.routeKey}`);
  }
  const result = await requestFpmmUpdate(deps, fpmm, input, adminActor(event));
  return json(result.created ? 202 : 200, result);
}

export const handler = httpRoute(adminFpmmDependencies, handle, {
  require: ['DATABASE_URL', 'ORACLE_CALLS_QUEUE_URL', 'EVM_SIGNER_ADDRESS'],
  routes: FPMM_ROUTES,
});
