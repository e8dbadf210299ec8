/**
 * The source's two FPMM oracle calls. Each is keyed by FPMM address (the market id and the
 * alert key), season and player; the supersede key makes a newer value win over an older one
 * that is still retrying.
 */
import type { EnqueueDeps, EnqueueResult, OracleCallRequest } from './enqueue-oracle-call.ts';
import { enqueueOracleCall } from './enqueue-oracle-call.ts';

export const UPDATE_RAFFLE_PROBABILITY =
  'updateRaffleProbability(uint256 seasonId, address player, uint256 probabilityBps)';
export const UPDATE_MARKET_SENTIMENT =
  'updateMarketSentiment(uint256 seasonId, address player, int256 sentimentBps)';

export interface FpmmUpdate {
  readonly fpmmAddress: string;
  readonly seasonId: number;
  readonly player: string;
  /** Defaults to a key over the market, season, player, function and value. */
  readonly requestId?: string;
}

export type RaffleProbabilityUpdate = FpmmUpdate & { readonly probabilityBps: number };
export type MarketSentimentUpdate = FpmmUpdate & { readonly sentimentBps: number };

/** The key under which updates of one value (market, season, player, function) replace each other. */
export function fpmmSupersedeKey(update: FpmmUpdate, value: 'raffle' | 'sentiment'): string {
  return `fpmm:${update.fpmmAddress.toLowerCase()}:${update.seasonId}:${update.player.toLowerCase()}:${value}`;
}

export function raffleProbabilityRequest(update: RaffleProbabilityUpdate): OracleCallRequest {
  const key = fpmmSupersedeKey(update, 'raffle');
  return {
    requestId: update.requestId ?? `${key}:${update.probabilityBps}`,
    contractAddress: update.fpmmAddress,
    targetAddress: update.fpmmAddress,
    functionSignature: UPDATE_RAFFLE_PROBABILITY,
    args: [update.seasonId, update.player, update.probabilityBps],
    parameters: { seasonId: update.seasonId, player: update.player, probabilityBps: update.probabilityBps },
    seasonId: update.seasonId,
    playerAddress: update.player,
    supersedeKey: key,
  };
}

export function marketSentimentRequest(update: MarketSentimentUpdate): OracleCallRequest {
  const key = fpmmSupersedeKey(update, 'sentiment');
  return {
    requestId: update.requestId ?? `${key}:${update.sentimentBps}`,
    contractAddress: update.fpmmAddress,
    targetAddress: update.fpmmAddress,
    functionSignature: UPDATE_MARKET_SENTIMENT,
    args: [update.seasonId, update.player, update.sentimentBps],
    parameters: { seasonId: update.seasonId, player: update.player, sentimentBps: update.sentimentBps },
    seasonId: update.seasonId,
    playerAddress: update.player,
    supersedeKey: key,
  };
}

export function enqueueRaffleProbabilityUpdate(
  deps: EnqueueDeps,
  update: RaffleProbabilityUpdate,
): Promise<EnqueueResult> {
  return enqueueOracleCall(deps, raffleProbabilityRequest(update));
}

export function enqueueMarketSentimentUpdate(
  deps: EnqueueDeps,
  update: MarketSentimentUpdate,
): Promise<EnqueueResult> {
  return enqueueOracleCall(deps, marketSentimentRequest(update));
}
