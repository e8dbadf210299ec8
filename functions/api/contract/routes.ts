/**
 * Every HTTP route's contract, keyed by its API Gateway route key (`GET /claims/{user}`), the
 * same key lib/functions.ts registers the route under.
 */
import { ADMIN_AUDIT_ROUTES } from './admin-audit.ts';
import { ATTENTION_ROUTES } from './attention.ts';
import { CHANNEL_ROUTES } from './channels.ts';
import { CREATOR_ROUTES } from './creators.ts';
import { DELIVERY_ROUTES } from './delivery.ts';
import { FPMM_ROUTES } from './fpmm.ts';
import { MARKET_ROUTES } from './market.ts';
import { MARKET_USER_ROUTES } from './market-users.ts';
import { PLATFORM_ROUTES } from './platform.ts';
import { RECOVERY_ROUTES } from './recovery.ts';
import type { RouteContract } from './route-contract.ts';
import { TWITCH_SIGN_IN_ROUTES } from './twitch-sign-in.ts';

export const API_ROUTES: Readonly<Record<string, RouteContract>> = {
  ...ADMIN_AUDIT_ROUTES,
  ...ATTENTION_ROUTES,
  ...CHANNEL_ROUTES,
  ...CREATOR_ROUTES,
  ...DELIVERY_ROUTES,
  ...FPMM_ROUTES,
  ...MARKET_ROUTES,
  ...MARKET_USER_ROUTES,
  ...PLATFORM_ROUTES,
  ...RECOVERY_ROUTES,
  ...TWITCH_SIGN_IN_ROUTES,
};
