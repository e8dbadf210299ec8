-- The public TWAP route stores each TWAP it computes (services/market/price-oracle.ts,
-- computeTwap), as the other market readers do not: its read-only role may add rows to
-- market.twap_calculations (an existing one is kept: on conflict do nothing), and change or remove
-- none. Found by the deployment check once functions logged in as their roles.
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'oracle_market_reader') THEN
    GRANT INSERT ON market.twap_calculations TO oracle_market_reader;
  END IF;
END
$$;
