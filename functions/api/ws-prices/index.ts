/**
 * WebSocket API /ws/prices (API Gateway): $connect and $disconnect keep the connection table,
 * `subscribe` / `unsubscribe` take `{ "action", "tokens": [address...] }`, `ping` is the
 * heartbeat; anything else gets an error message naming what is wrong.
 */
import type { APIGatewayProxyWebsocketEventV2 } from 'aws-lambda';
import {
  onConnect,
  onDisconnect,
  onMessage,
  type WsDeps,
} from '../../../layers/shared/src/services/market/ws-subscriptions.ts';
import { websocket } from '../../handlers.ts';
import { wsDependencies } from '../../ws-dependencies.ts';

export async function handle(
  event: APIGatewayProxyWebsocketEventV2,
  deps: WsDeps,
): Promise<{ statusCode: number }> {
  const { connectionId, routeKey } = event.requestContext;
  if (routeKey === '$connect') await onConnect(deps, connectionId);
  else if (routeKey === '$disconnect') await onDisconnect(deps, connectionId);
  else await onMessage(deps, connectionId, event.body);
  return { statusCode: 200 };
}

export const handler = websocket(wsDependencies, handle, {
  require: ['WS_CONNECTIONS_TABLE', 'WS_CALLBACK_URL'],
});
