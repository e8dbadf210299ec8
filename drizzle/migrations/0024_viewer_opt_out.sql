ALTER TABLE "attention"."wallet_binding_history" DROP CONSTRAINT "wallet_binding_history_end_reason";--> statement-breakpoint
ALTER TABLE "attention"."suppression_list" ADD COLUMN "requested_by" text DEFAULT 'admin' NOT NULL;--> statement-breakpoint
ALTER TABLE "attention"."suppression_list" ADD CONSTRAINT "suppression_list_requested_by" CHECK ("attention"."suppression_list"."requested_by" in ('admin', 'viewer'));--> statement-breakpoint
ALTER TABLE "attention"."wallet_binding_history" ADD CONSTRAINT "wallet_binding_history_end_reason" CHECK ("attention"."wallet_binding_history"."end_reason" in ('rebound', 'login-reused', 'login-changed', 'legacy-replaced', 'opted-out'));--> statement-breakpoint
-- A public reader (ClaimsApi's claim transactions) resolves a session token it was given, by its
-- hash, to the viewer it belongs to, and reads nothing else of the sessions: the table stays
-- revoked from oracle_attention_reader (0021).
CREATE FUNCTION attention.viewer_session(p_token_hash text, p_now timestamptz)
RETURNS TABLE (twitch_user_id text, login text, authorized_at timestamptz, expires_at timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, attention AS $$
  select s.twitch_user_id, s.login, s.authorized_at, s.expires_at from attention.viewer_sessions s
  where s.token_hash = p_token_hash and s.expires_at > p_now
$$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION attention.viewer_session(text, timestamptz) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION attention.viewer_session(text, timestamptz) TO oracle_attention, oracle_attention_reader;
