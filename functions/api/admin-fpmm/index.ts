/**
 * FPMM updates (admin): POST /admin/fpmm/{fpmm}/raffle-probability and
 * POST /admin/fpmm/{fpmm}/market-sentiment enqueue the oracle call through the delivery engine,
 * audited under the admin token's name. This function only enqueues: it never holds the signer key.
 */
import { loadConfig } from '../../../layers/shared/src/config.ts';
import { NotFoundError } from '../../../layers/shared/src/errors.ts';
import { logger } from '../../../layers/shared/src/observability.ts';
import {
  type FpmmUpdateInput,
  requestFpmmUpdate,
} from '../../../layers/shared/src/services/delivery/fpmm-admin-updates.ts';
import { enqueueDependencies } from '../../delivery.ts';
import { FPMM_ROUTES } from '../contract/fpmm.ts';
import { adminActor, httpHandler, json, parseRequest } from '../http.ts';

loadConfig(process.env, { require: ['DATABASE_URL', 'ORACLE_CALLS_QUEUE_URL', 'EVM_SIGNER_ADDRESS'] });

export const handler = httpHandler(async (event) => {
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
  const deps = {
    ...(await enqueueDependencies()),
    warn: (message: string, data: Record<string, unknown>) => logger.warn(message, data),
  };
  const result = await requestFpmmUpdate(deps, fpmm, input, adminActor(event));
  return json(result.created ? 202 : 200, result);
});
