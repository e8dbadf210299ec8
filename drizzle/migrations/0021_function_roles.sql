-- One least-privilege login role per function group (lib/functions.ts names each function's role;
-- README.md, "Database roles"). No role has a password here: on AWS each logs in through RDS Proxy
-- with an IAM token (rds_iam), locally the runtime and the tests set generated passwords. The
-- migrating user keeps ownership of every table; the functions never connect as it, so the
-- row-level security of 0002_delivery_rls.sql applies to every one of them (it never applies to a
-- table's owner or a superuser, and FORCE is left off so that data migrations run as the owner).
-- Grants follow ALTER DEFAULT PRIVILEGES too, so tables later migrations add keep them.
DO $$
DECLARE
  r text;
BEGIN
  FOREACH r IN ARRAY ARRAY[
    'oracle_attention', 'oracle_attention_reader', 'oracle_delivery', 'oracle_creator',
    'oracle_creator_reader', 'oracle_market', 'oracle_market_reader', 'oracle_health'
  ]
  LOOP
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) THEN
      EXECUTE format('CREATE ROLE %I LOGIN', r);
    END IF;
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'rds_iam') THEN
      EXECUTE format('GRANT rds_iam TO %I', r);
    END IF;
  END LOOP;
  -- Writers of delivery calls (the engine, and whoever enqueues one) are the service role whose
  -- policies 0002_delivery_rls.sql created; no other role may read a delivery row.
  GRANT oracle_service TO oracle_delivery, oracle_creator, oracle_market;
END
$$;
--> statement-breakpoint
DO $$
DECLARE
  grant_spec record;
BEGIN
  FOR grant_spec IN
    SELECT * FROM (VALUES
      ('attention', 'oracle_attention', 'SELECT, INSERT, UPDATE, DELETE'),
      ('attention', 'oracle_attention_reader', 'SELECT'),
      ('delivery', 'oracle_delivery', 'SELECT, INSERT, UPDATE, DELETE'),
      ('delivery', 'oracle_creator', 'SELECT, INSERT, UPDATE'),
      ('delivery', 'oracle_market', 'SELECT, INSERT, UPDATE'),
      ('creator', 'oracle_creator', 'SELECT, INSERT, UPDATE, DELETE'),
      ('creator', 'oracle_creator_reader', 'SELECT'),
      ('market', 'oracle_market', 'SELECT, INSERT, UPDATE, DELETE'),
      ('market', 'oracle_market_reader', 'SELECT')
    ) AS g(schema_name, role_name, privileges)
  LOOP
    EXECUTE format('GRANT USAGE ON SCHEMA %I TO %I', grant_spec.schema_name, grant_spec.role_name);
    EXECUTE format('GRANT %s ON ALL TABLES IN SCHEMA %I TO %I', grant_spec.privileges, grant_spec.schema_name, grant_spec.role_name);
    EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT %s ON TABLES TO %I', grant_spec.schema_name, grant_spec.privileges, grant_spec.role_name);
    IF grant_spec.privileges <> 'SELECT' THEN
      EXECUTE format('GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA %I TO %I', grant_spec.schema_name, grant_spec.role_name);
      EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT USAGE, SELECT ON SEQUENCES TO %I', grant_spec.schema_name, grant_spec.role_name);
    END IF;
  END LOOP;
END
$$;
--> statement-breakpoint
-- A public reader of the attention schema answers claims and epochs: never the sign-in secrets.
REVOKE ALL ON attention.viewer_sessions, attention.twitch_auth_states, attention.wallet_binding_nonces
  FROM oracle_attention_reader;
--> statement-breakpoint
-- The health check proves the database answers, and reads nothing else.
GRANT USAGE ON SCHEMA market TO oracle_health;
--> statement-breakpoint
GRANT SELECT ON market.chain_cursors TO oracle_health;
