/**
 * Creator metrics API (API Gateway HTTP API, payload v2), one function for the routes:
 *   GET /creators/{address}/metrics     live metrics and what is confirmed on-chain
 *   GET /creators/{address}/milestones  milestones reached, in order
 *   GET /creators/{address}/coin        the creator coin (404 while none)
 *   GET /admin/sync-logs                oracle_sync_logs, newest first (admin; the authorizer checks)
 *   GET /admin/sync-health              the sync's health now and after each run (admin)
 */
import { creatorThresholds } from '../../../layers/shared/src/config.ts';
import { NotFoundError } from '../../../layers/shared/src/errors.ts';
import { logger } from '../../../layers/shared/src/observability.ts';
import type { CoinPriceSource } from '../../../layers/shared/src/ports/coin-price-source.ts';
import type { Sql } from '../../../layers/shared/src/ports/sql.ts';
import {
  type CoinViewOptions,
  creatorCoinView,
  creatorMetricsView,
  creatorMilestonesView,
  listSyncLogs,
} from '../../../layers/shared/src/services/creator/creator-queries.ts';
import { syncHealthHistory } from '../../../layers/shared/src/services/creator/creator-sync-health.ts';
import { coinPriceSource, creatorContractsReader } from '../../creator-dependencies.ts';
import { httpRoute, type PlatformOf } from '../../handlers.ts';
import { CREATOR_ROUTES } from '../contract/creators.ts';
import { type HttpEvent, type HttpResult, json, parseRequest } from '../http.ts';

export interface CreatorsApiDeps {
  readonly sql: Sql;
  readonly prices: CoinPriceSource;
  /** What GET /creators/{address}/coin reads besides the database. */
  readonly coin: CoinViewOptions;
}

export async function creatorsApiDependencies(
  platform: PlatformOf<'DATABASE_URL'>,
): Promise<CreatorsApiDeps> {
  const { sql } = await platform.database();
  const prices = coinPriceSource(sql, platform.market);
  // Optional here: without them (or EVM_RPC_URL) the coin's intrinsic value says why it is missing.
  const contracts = creatorContractsReader(platform.config);
  return {
    sql,
    prices,
    coin: {
      coinLaunch: creatorThresholds(platform.config).coinLaunch,
      prices,
      ...(contracts === undefined ? {} : { contracts }),
      onChainError: (error) => logger.warn('calculateIntrinsicValue failed', { error: error as Error }),
    },
  };
}

export async function handle(event: HttpEvent, deps: CreatorsApiDeps): Promise<HttpResult> {
  const { sql } = deps;
  const key = event.routeKey;
  switch (key) {
    case 'GET /creators/{address}/metrics': {
      const { address } = parseRequest(CREATOR_ROUTES[key], event).params;
      return json(200, await creatorMetricsView(sql, address, new Date(), deps.prices));
    }
    case 'GET /creators/{address}/milestones': {
      const { address } = parseRequest(CREATOR_ROUTES[key], event).params;
      return json(200, await creatorMilestonesView(sql, address));
    }
    case 'GET /creators/{address}/coin': {
      const { address } = parseRequest(CREATOR_ROUTES[key], event).params;
      return json(200, await creatorCoinView(sql, address, deps.coin));
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
}

export const handler = httpRoute(creatorsApiDependencies, handle, {
  require: ['DATABASE_URL'],
  // Malformed creator thresholds or market settings (the coin price source's) fail the cold start.
  check: (config) => {
    creatorThresholds(config);
  },
  market: true,
  routes: CREATOR_ROUTES,
});
