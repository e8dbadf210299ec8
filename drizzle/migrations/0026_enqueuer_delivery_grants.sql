-- The functions that enqueue oracle calls (oracle_creator: the creator sync; oracle_market: claim
-- mints and token generation) held the delivery engine's whole service role since 0021: every
-- delivery table, DELETE, every producer's calls. They keep what enqueueing needs, on their own
-- calls only (their request ids: creator-metrics:/creator-coin:, mint:): insert a call, read it
-- back and its outcome. The market also abandons a failed mint it refunded into the holder's
-- balance (services/delivery/compensated-calls.ts), in the refund's transaction: it may set a
-- call's status, next attempt and notes, nothing else.
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'oracle_creator') THEN
    REVOKE oracle_service FROM oracle_creator, oracle_market;
    REVOKE ALL ON ALL TABLES IN SCHEMA delivery FROM oracle_creator, oracle_market;
    REVOKE ALL ON ALL SEQUENCES IN SCHEMA delivery FROM oracle_creator, oracle_market;
    ALTER DEFAULT PRIVILEGES IN SCHEMA delivery REVOKE ALL ON TABLES FROM oracle_creator, oracle_market;
    ALTER DEFAULT PRIVILEGES IN SCHEMA delivery REVOKE ALL ON SEQUENCES FROM oracle_creator, oracle_market;
    GRANT SELECT, INSERT ON delivery.oracle_call_history TO oracle_creator, oracle_market;
    GRANT UPDATE (status, next_attempt_at, notes, updated_at) ON delivery.oracle_call_history TO oracle_market;
    EXECUTE format('GRANT USAGE ON SEQUENCE %s TO oracle_creator, oracle_market',
      pg_get_serial_sequence('delivery.oracle_call_history', 'id'));
    -- Row-level security is on for the table (0002): without these no row is theirs.
    CREATE POLICY oracle_call_history_creator_calls ON delivery.oracle_call_history
      FOR ALL TO oracle_creator
      USING (request_id LIKE 'creator-metrics:%' OR request_id LIKE 'creator-coin:%')
      WITH CHECK (request_id LIKE 'creator-metrics:%' OR request_id LIKE 'creator-coin:%');
    CREATE POLICY oracle_call_history_market_mints ON delivery.oracle_call_history
      FOR ALL TO oracle_market
      USING (request_id LIKE 'mint:%')
      WITH CHECK (request_id LIKE 'mint:%');
  END IF;
END
$$;
