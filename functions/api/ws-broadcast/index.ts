/** EventBridge `PriceUpdated` → every WebSocket connection subscribed to that token. */
import type { EventBridgeEvent } from 'aws-lambda';
import type { PriceUpdatedEvent } from '../../../layers/shared/src/core/events/domain-events.ts';
import { ValidationError } from '../../../layers/shared/src/errors.ts';
import { logger } from '../../../layers/shared/src/observability.ts';
import {
  type BroadcastResult,
  broadcastPrice,
  type WsDeps,
} from '../../../layers/shared/src/services/market/ws-subscriptions.ts';
import { scheduled } from '../../handlers.ts';
import { wsDependencies } from '../../ws-dependencies.ts';

export async function handle(
  event: EventBridgeEvent<'PriceUpdated', PriceUpdatedEvent>,
  deps: WsDeps,
): Promise<BroadcastResult> {
  const detail = event.detail;
  if (typeof detail?.tokenAddress !== 'string')
    throw new ValidationError('PriceUpdated event without a tokenAddress');
  const result = await broadcastPrice(deps, { ...detail, type: 'PriceUpdated' });
  logger.info('price broadcast', { token: detail.tokenAddress, ...result });
  return result;
}

// An EventBridge rule's event, invoked like a schedule's: an error is thrown, so the rule retries.
export const handler = scheduled(wsDependencies, handle, {
  require: ['WS_CONNECTIONS_TABLE', 'WS_CALLBACK_URL'],
});
