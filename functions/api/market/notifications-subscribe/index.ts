/** POST /api/notifications/subscribe: subscribes the signed-in user to a trigger; repeating it changes nothing. */
import { NotFoundError } from '../../../../layers/shared/src/errors.ts';
import { subscribe } from '../../../../layers/shared/src/services/market/notifications.ts';
import { currentPrice } from '../../../../layers/shared/src/services/market/price-oracle.ts';
import { MARKET_ROUTES } from '../../contract/market.ts';
import { json, parseRequest } from '../../http.ts';
import { marketRoute, marketUser, sameUser } from '../market-http.ts';

export const route = marketRoute(
  async (event, deps) => {
    const userId = await marketUser(event, deps);
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
    const result = await subscribe(deps.sql, {
      userId,
      trigger: input.trigger,
      params: input.params,
      contact,
      ...(current === undefined ? {} : { currentPrice: current.price }),
    });
    return json(result.created ? 201 : 200, result);
  },
  { signIn: true },
);
export const handler = route.handler;
