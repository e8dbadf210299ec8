/** The attention oracle's routes: ingest, opt-out, wallet binding, claims and sealed epochs. */
import { CLAIM_ROUTES } from './attention-claims.ts';
import { INGEST_ROUTES } from './attention-ingest.ts';
import { VIEWER_ROUTES } from './attention-viewers.ts';

export const ATTENTION_ROUTES = { ...INGEST_ROUTES, ...VIEWER_ROUTES, ...CLAIM_ROUTES } as const;
