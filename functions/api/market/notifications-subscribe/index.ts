/** POST /api/notifications/subscribe: subscribes a user to a trigger; repeating it changes nothing. */
import { z } from 'zod';
import { NotFoundError } from '../../../../layers/shared/src/errors.ts';
import { subscribe, TRIGGERS } from '../../../../layers/shared/src/services/market/notifications.ts';
import { currentPrice } from '../../../../layers/shared/src/services/market/price-oracle.ts';
import { json, jsonBody } from '../../http.ts';
import { ADDRESS_PATTERN, marketRoute, parseInput } from '../market-http.ts';

const body = z
  .object({
    userId: z.string().min(1).max(200),
    trigger: z.enum(TRIGGERS),
    params: z.record(z.string().max(200)).default({}),
    email: z.string().email().optional(),
    phone: z
      .string()
      .regex(/^\+[1-9]\d{6,14}$/, 'expected an E.164 phone number')
      .optional(),
    pushEndpoint: z.string().url().optional(),
    address: z.string().regex(ADDRESS_PATTERN, 'expected a 0x-prefixed 20-byte address').optional(),
  })
  .superRefine((value, ctx) => {
    if (value.trigger === 'price_alert') {
      if (value.params['token'] === undefined || !ADDRESS_PATTERN.test(value.params['token']))
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          path: ['params', 'token'],
          message: 'a price alert needs a token address',
        });
      for (const key of ['above', 'below'] as const) {
        const threshold = value.params[key];
        if (threshold !== undefined && !/^\d+(\.\d+)?$/.test(threshold))
          ctx.addIssue({
            code: z.ZodIssueCode.custom,
            path: ['params', key],
            message: 'expected a decimal number',
          });
      }
      if (value.params['above'] === undefined && value.params['below'] === undefined)
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          path: ['params', 'above'],
          message: 'a price alert needs above or below',
        });
    }
  });

export const route = marketRoute(async (event, deps) => {
  const input = parseInput(body, jsonBody(event), 'body');
  const contact = {
    ...(input.email === undefined ? {} : { email: input.email }),
    ...(input.phone === undefined ? {} : { phone: input.phone }),
    ...(input.pushEndpoint === undefined ? {} : { pushEndpoint: input.pushEndpoint }),
    ...(input.address === undefined ? {} : { address: input.address }),
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
    userId: input.userId,
    trigger: input.trigger,
    params: input.params,
    contact,
    ...(current === undefined ? {} : { currentPrice: current.price }),
  });
  return json(result.created ? 201 : 200, result);
});
export const handler = route.handler;
