/**
 * The signed-in user's subscriptions:
 *   POST /api/notifications/subscribe    subscribes to a trigger; repeating it changes nothing. An
 *        email or phone given that its owner has not confirmed gets a verification, handed to the
 *        notifications queue once the subscription is stored.
 *   POST /api/notifications/unsubscribe  { subscriptionId } ends one
 *   GET  /api/notifications/subscriptions  the active ones
 */
import { NotFoundError } from '../../../../layers/shared/src/errors.ts';
import {
  subscribe,
  subscriptionsOf,
  unsubscribe,
} from '../../../../layers/shared/src/services/market/notifications.ts';
import { currentPrice } from '../../../../layers/shared/src/services/market/price-oracle.ts';
import { httpRoute } from '../../../handlers.ts';
import { type MarketDependencies, marketDependencies } from '../../../market-dependencies.ts';
import { MARKET_ROUTES } from '../../contract/market.ts';
import { type HttpEvent, type HttpResult, json, parseRequest, sourceIp } from '../../http.ts';
import { marketUser, sameUser, verifyEmailPage } from '../market-http.ts';

async function subscribeRoute(
  event: HttpEvent,
  deps: MarketDependencies,
  userId: string,
): Promise<HttpResult> {
  const input = parseRequest(MARKET_ROUTES['POST /api/notifications/subscribe'], event).body;
  sameUser(userId, input.userId);
  const contact = {
    ...(input.email === undefined ? {} : { email: input.email }),
    ...(input.phone === undefined ? {} : { phone: input.phone }),
    ...(input.pushEndpoint === undefined ? {} : { pushEndpoint: input.pushEndpoint }),
  };
  const token = input.params['token'];
  const current =
    input.trigger === 'price_alert' && token !== undefined
      ? await currentPrice(deps.sql, deps.chainId, token).catch((error: unknown) => {
          if (error instanceof NotFoundError) return undefined;
          throw error;
        })
      : undefined;
  const { config } = deps;
  const result = await subscribe(deps.sql, {
    userId,
    trigger: input.trigger,
    params: input.params,
    contact,
    sourceIp: sourceIp(event),
    now: deps.now(),
    subscriptionLimits: {
      perUser: config.NOTIFICATIONS_MAX_SUBSCRIPTIONS_PER_USER,
      perSourcePerDay: config.NOTIFICATIONS_MAX_SUBSCRIPTIONS_PER_IP_PER_DAY,
    },
    verificationLimits: {
      perUserPerDay: config.NOTIFICATIONS_VERIFICATIONS_PER_USER_PER_DAY,
      perSourcePerDay: config.NOTIFICATIONS_VERIFICATIONS_PER_IP_PER_DAY,
    },
    emailLink: (secret) => `${verifyEmailPage(event, deps)}?token=${secret}`,
    ...(current === undefined ? {} : { currentPrice: current.price }),
  });
  // Stored first: a send that fails answers 503, and the retried request hands the same rows over.
  if (result.verificationOutboxIds.length > 0) {
    await deps.notificationQueue().send({ body: { outboxIds: result.verificationOutboxIds } });
  }
  return json(result.created ? 201 : 200, {
    subscriptionId: result.subscriptionId,
    created: result.created,
    verificationsSent: result.verificationOutboxIds.length,
  });
}

export async function handle(event: HttpEvent, deps: MarketDependencies): Promise<HttpResult> {
  const userId = await marketUser(event, deps);
  switch (event.routeKey) {
    case 'POST /api/notifications/unsubscribe': {
      const { body } = parseRequest(MARKET_ROUTES['POST /api/notifications/unsubscribe'], event);
      await unsubscribe(deps.sql, userId, body.subscriptionId);
      return json(200, { subscriptionId: body.subscriptionId, active: false });
    }
    case 'GET /api/notifications/subscriptions':
      return json(200, { userId, subscriptions: await subscriptionsOf(deps.sql, userId) });
    default:
      return subscribeRoute(event, deps, userId);
  }
}

export const handler = httpRoute(marketDependencies, handle, { market: true, routes: MARKET_ROUTES });
