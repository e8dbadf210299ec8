/**
 * The market's HTTP routes in the shape of local/routes.ts's RouteSpec (API Gateway path syntax),
 * for the local server and the API stack to include.
 */
export const MARKET_ROUTES = [
  {
    method: 'GET',
    path: '/api/prices/{tokenAddress}',
    auth: 'none',
    module: 'functions/api/market/prices/index.ts',
  },
  {
    method: 'GET',
    path: '/api/twap/{tokenAddress}/{window}',
    auth: 'none',
    module: 'functions/api/market/twap/index.ts',
  },
  {
    method: 'GET',
    path: '/api/analytics/overview',
    auth: 'none',
    module: 'functions/api/market/analytics-overview/index.ts',
  },
  {
    method: 'GET',
    path: '/api/analytics/tokens/rankings',
    auth: 'none',
    module: 'functions/api/market/analytics-rankings/index.ts',
  },
  {
    method: 'GET',
    path: '/api/analytics/volume/{tokenAddress}',
    auth: 'none',
    module: 'functions/api/market/analytics-volume/index.ts',
  },
  { method: 'POST', path: '/graphql', auth: 'none', module: 'functions/api/market/graphql/index.ts' },
  {
    method: 'POST',
    path: '/api/generate/claim/{credentialId}',
    auth: 'none',
    module: 'functions/api/market/generate-claim/index.ts',
  },
  {
    method: 'GET',
    path: '/api/generate/claimable/{address}',
    auth: 'none',
    module: 'functions/api/market/generate-claimable/index.ts',
  },
  {
    method: 'GET',
    path: '/api/generate/stats',
    auth: 'none',
    module: 'functions/api/market/generate-stats/index.ts',
  },
  {
    method: 'POST',
    path: '/api/notifications/subscribe',
    auth: 'none',
    module: 'functions/api/market/notifications-subscribe/index.ts',
  },
  {
    method: 'POST',
    path: '/api/notifications/preferences',
    auth: 'none',
    module: 'functions/api/market/notifications-preferences/index.ts',
  },
  {
    method: 'GET',
    path: '/api/notifications/history/{userId}',
    auth: 'none',
    module: 'functions/api/market/notifications-history/index.ts',
  },
] as const;
