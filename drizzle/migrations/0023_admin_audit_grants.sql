-- Every admin route records its action in creator.admin_audit_log in the change's own transaction,
-- so the roles of the functions with state-changing admin routes (attention: opt-outs, key voids,
-- channels; delivery: oracle-call retries) may append to it, and do nothing else in that schema.
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'oracle_attention') THEN
    GRANT USAGE ON SCHEMA creator TO oracle_attention, oracle_delivery;
    GRANT INSERT ON creator.admin_audit_log TO oracle_attention, oracle_delivery;
  END IF;
END
$$;
