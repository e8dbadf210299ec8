/** EventBridge `PriceUpdated` → every WebSocket connection subscribed to that token. */
import type { EventBridgeEvent } from 'aws-lambda';
import { loadConfig } from '../../../layers/shared/src/config.ts';
import type { PriceUpdatedEvent } from '../../../layers/shared/src/core/events/domain-events.ts';
import { ValidationError } from '../../../layers/shared/src/errors.ts';
import { logger } from '../../../layers/shared/src/observability.ts';
import {
  type BroadcastResult,
  broadcastPrice,
} from '../../../layers/shared/src/services/market/ws-subscriptions.ts';
import { wsDependencies } from '../../ws-dependencies.ts';

loadConfig(process.env, { require: ['WS_CONNECTIONS_TABLE', 'WS_CALLBACK_URL'] });

export async function handler(
  event: EventBridgeEvent<'PriceUpdated', PriceUpdatedEvent>,
): Promise<BroadcastResult> {
  const detail = event.detail;
  if (typeof detail?.tokenAddress !== 'string')
    throw new ValidationError('PriceUpdated event without a tokenAddress');
  const result = await broadcastPrice(wsDependencies(), { ...detail, type: 'PriceUpdated' });
  logger.info('price broadcast', { token: detail.tokenAddress, ...result });
  return result;
}
