/**
 * Creator metrics API (API Gateway HTTP API, payload v2), one function for the routes:
 *   GET /creators/{address}/metrics     live metrics and what is confirmed on-chain
 *   GET /creators/{address}/milestones  milestones reached, in order
 *   GET /creators/{address}/coin        the creator coin (404 while none)
 *   GET /admin/sync-logs                oracle_sync_logs, newest first (admin; the authorizer checks)
 *   GET /admin/sync-health              the sync's health now and after each run (admin)
 */
import { creatorThresholds, loadConfig } from '../../../layers/shared/src/config.ts';
import { NotFoundError } from '../../../layers/shared/src/errors.ts';
import { marketConfig } from '../../../layers/shared/src/market-config.ts';
import { logger } from '../../../layers/shared/src/observability.ts';
import {
  creatorCoinView,
  creatorMetricsView,
  creatorMilestonesView,
  listSyncLogs,
} from '../../../layers/shared/src/services/creator/creator-queries.ts';
import { syncHealthHistory } from '../../../layers/shared/src/services/creator/creator-sync-health.ts';
import { coinPriceSource, creatorContractsReader } from '../../creator-dependencies.ts';
import { database } from '../../dependencies.ts';
import { CREATOR_ROUTES } from '../contract/creators.ts';
import { httpHandler, json, parseRequest } from '../http.ts';

const settings = loadConfig(process.env, { require: ['DATABASE_URL'] });
const { coinLaunch } = creatorThresholds(settings);
// Optional here: without them (or EVM_RPC_URL) the coin's intrinsic value says why it is missing.
const contracts = creatorContractsReader(settings);
marketConfig();

export const handler = httpHandler(async (event) => {
  const { sql } = await database();
  const key = event.routeKey;
  switch (key) {
    case 'GET /creators/{address}/metrics': {
      const { address } = parseRequest(CREATOR_ROUTES[key], event).params;
      return json(200, await creatorMetricsView(sql, address, new Date(), coinPriceSource(sql)));
    }
    case 'GET /creators/{address}/milestones': {
      const { address } = parseRequest(CREATOR_ROUTES[key], event).params;
      return json(200, await creatorMilestonesView(sql, address));
    }
    case 'GET /creators/{address}/coin': {
      const { address } = parseRequest(CREATOR_ROUTES[key], event).params;
      return json(
        200,
        await creatorCoinView(sql, address, {
          coinLaunch,
          prices: coinPriceSource(sql),
          ...(contracts === undefined ? {} : { contracts }),
          onChainError: (error) => logger.warn('calculateIntrinsicValue failed', { error: error as Error }),
        }),
      );
    }
    case 'GET /admin/sync-logs': {
      const { operation, status, creator, since, before, limit } = parseRequest(
        CREATOR_ROUTES[key],
        event,
      ).query;
      return json(
        200,
        await listSyncLogs(sql, {
          limit,
          ...(operation === undefined ? {} : { operation }),
          ...(status === undefined ? {} : { status }),
          ...(creator === undefined ? {} : { creator }),
          ...(since === undefined ? {} : { since }),
          ...(before === undefined ? {} : { before }),
        }),
      );
    }
    case 'GET /admin/sync-health': {
      const { since, before, limit } = parseRequest(CREATOR_ROUTES[key], event).query;
      return json(
        200,
        await syncHealthHistory(sql, new Date(), {
          limit,
          ...(since === undefined ? {} : { since }),
          ...(before === undefined ? {} : { before }),
        }),
      );
    }
    default:
      throw new NotFoundError(`no route ${key}`);
  }
});
