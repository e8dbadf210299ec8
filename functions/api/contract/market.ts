/** The token market's routes: prices and TWAP, analytics, GraphQL, token generation, notifications. */
import { MARKET_DATA_ROUTES } from './market-data.ts';
import { TOKEN_GENERATION_ROUTES } from './market-generation.ts';
import { NOTIFICATION_ROUTES } from './market-notifications.ts';

export const MARKET_ROUTES = {
  ...MARKET_DATA_ROUTES,
  ...TOKEN_GENERATION_ROUTES,
  ...NOTIFICATION_ROUTES,
} as const;
