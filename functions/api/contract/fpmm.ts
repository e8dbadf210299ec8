/**
 * The operator's FPMM updates: `updateRaffleProbability` and `updateMarketSentiment` handed to
 * the delivery engine. The schemas live with the service that the CLI shares
 * (services/delivery/fpmm-admin-updates.ts); the contract names the same schema objects.
 */
import {
  checkedAddress,
  MAX_BPS,
  marketSentimentBody,
  raffleProbabilityBody,
} from '../../../layers/shared/src/services/delivery/fpmm-admin-updates.ts';
import { oracleCall } from './delivery.ts';
import { defineRoute } from './route-contract.ts';
import { z } from './zod.ts';

const params = z
  .object({
    fpmm: checkedAddress.openapi({
      description:
        'The FixedProductMarketMaker (the market id, and the key admin alerts count failures under). A mixed-case address must match its EIP-55 checksum.',
      example: '0x5FbDB2315678afecb367f032d93F642f64180aa3',
    }),
  })
  .strict();

const answer = {
  202: {
    description: 'Recorded, audited and queued',
    schema: z.object({
      call: oracleCall,
      created: z.literal(true),
    }),
  },
  200: {
    description: 'The request id was already used for this very update: its call, nothing sent again',
    schema: z.object({ call: oracleCall, created: z.literal(false) }),
  },
};

const description = (action: string, what: string) =>
  `${what} The call goes through the delivery engine like every oracle call: in order per signer, retried with backoff, failures counted against the FPMM address for admin alerts; follow it at \`GET /admin/oracle-calls/{id}\`. A newer update of the same market, season, player and value supersedes an older one still retrying. \`requestId\` (optional) makes the request idempotent: sent again, it returns the same call. Audited (\`${action}\`, with the last requested value before and the new one after).`;

const errors = {
  400: "a field is missing, of the wrong type, outside the contract's range, or an address fails its checksum or is zero",
  409: 'the requestId already names another update',
} as const;

export const FPMM_ROUTES = {
  'POST /admin/fpmm/{fpmm}/raffle-probability': defineRoute({
    tag: 'delivery',
    summary: "Queue updateRaffleProbability: a player's raffle probability in an FPMM season",
    description: description(
      'fpmm.raffle-probability',
      `Sets the raffle probability of \`player\` in season \`seasonId\`, 0 to ${MAX_BPS} basis points (100 %).`,
    ),
    params,
    body: {
      schema: raffleProbabilityBody.openapi({
        example: {
          seasonId: 1,
          player: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8',
          probabilityBps: 2500,
        },
      }),
      required: true,
    },
    responses: answer,
    errors,
  }),
  'POST /admin/fpmm/{fpmm}/market-sentiment': defineRoute({
    tag: 'delivery',
    summary: "Queue updateMarketSentiment: a player's market sentiment in an FPMM season",
    description: description(
      'fpmm.market-sentiment',
      `Sets the market sentiment of \`player\` in season \`seasonId\`, -${MAX_BPS} to ${MAX_BPS} basis points (-100 % to +100 %).`,
    ),
    params,
    body: {
      schema: marketSentimentBody.openapi({
        example: {
          seasonId: 1,
          player: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8',
          sentimentBps: -1500,
        },
      }),
      required: true,
    },
    responses: answer,
    errors,
  }),
};
