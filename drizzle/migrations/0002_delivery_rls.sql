-- Row-level security for the delivery schema, as the source's oracle_call_history migration has it.
-- The migrating (owner) role bypasses RLS; the service role the functions use gets full access,
-- the read-only role (dashboards, support) may only read. Roles are created when missing.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'oracle_service') THEN
    CREATE ROLE oracle_service NOLOGIN;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'oracle_readonly') THEN
    CREATE ROLE oracle_readonly NOLOGIN;
  END IF;
EXCEPTION WHEN insufficient_privilege THEN
  RAISE NOTICE 'cannot create roles oracle_service / oracle_readonly; policies for them are skipped';
END
$$;
--> statement-breakpoint
ALTER TABLE "delivery"."oracle_call_history" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "delivery"."oracle_tx_attempts" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "delivery"."signer_nonces" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "delivery"."admin_alert_state" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "delivery"."admin_alerts" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
DO $$
DECLARE
  t text;
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'oracle_service') THEN
    GRANT USAGE ON SCHEMA delivery TO oracle_service;
    GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA delivery TO oracle_service;
    GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA delivery TO oracle_service;
  END IF;
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'oracle_readonly') THEN
    GRANT USAGE ON SCHEMA delivery TO oracle_readonly;
    GRANT SELECT ON ALL TABLES IN SCHEMA delivery TO oracle_readonly;
  END IF;
  FOREACH t IN ARRAY ARRAY['oracle_call_history', 'oracle_tx_attempts', 'signer_nonces', 'admin_alert_state', 'admin_alerts']
  LOOP
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'oracle_service') THEN
      EXECUTE format('CREATE POLICY %I ON delivery.%I AS PERMISSIVE FOR ALL TO oracle_service USING (true) WITH CHECK (true)', t || '_service_all', t);
    END IF;
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'oracle_readonly') THEN
      EXECUTE format('CREATE POLICY %I ON delivery.%I AS PERMISSIVE FOR SELECT TO oracle_readonly USING (true)', t || '_readonly_select', t);
    END IF;
  END LOOP;
END
$$;
