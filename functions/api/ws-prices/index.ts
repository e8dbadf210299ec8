/**
 * WebSocket API /ws/prices (API Gateway): $connect and $disconnect keep the connection table,
 * `subscribe` / `unsubscribe` take `{ "action", "tokens": [address...] }`, `ping` is the
 * heartbeat; anything else gets an error message naming what is wrong.
 */
import type { APIGatewayProxyWebsocketEventV2 } from 'aws-lambda';
import { loadConfig } from '../../../layers/shared/src/config.ts';
import {
  onConnect,
  onDisconnect,
  onMessage,
} from '../../../layers/shared/src/services/market/ws-subscriptions.ts';
import { wsDependencies } from '../../ws-dependencies.ts';

loadConfig(process.env, { require: ['WS_CONNECTIONS_TABLE', 'WS_CALLBACK_URL'] });

export async function handler(event: APIGatewayProxyWebsocketEventV2): Promise<{ statusCode: number }> {
  const deps = wsDependencies();
  const { connectionId, routeKey } = event.requestContext;
  if (routeKey === '$connect') await onConnect(deps, connectionId);
  else if (routeKey === '$disconnect') await onDisconnect(deps, connectionId);
  else await onMessage(deps, connectionId, event.body);
  return { statusCode: 200 };
}
