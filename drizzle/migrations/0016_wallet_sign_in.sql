CREATE TABLE "attention"."twitch_auth_states" (
	"state_hash" text PRIMARY KEY NOT NULL,
	"redirect_uri" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"used_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "attention"."viewer_sessions" (
	"token_hash" text PRIMARY KEY NOT NULL,
	"twitch_user_id" text NOT NULL,
	"login" text NOT NULL,
	"authorized_at" timestamp with time zone NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "attention"."wallet_binding_history" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "attention"."wallet_binding_history_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"user_hash" text NOT NULL,
	"username" text NOT NULL,
	"wallet" text NOT NULL,
	"twitch_user_id" text,
	"bound_at" timestamp with time zone NOT NULL,
	"ended_at" timestamp with time zone DEFAULT now() NOT NULL,
	"end_reason" text NOT NULL,
	"next_wallet" text,
	"announced_at" timestamp with time zone,
	CONSTRAINT "wallet_binding_history_end_reason" CHECK ("attention"."wallet_binding_history"."end_reason" in ('rebound', 'login-reused', 'login-changed', 'legacy-replaced'))
);
--> statement-breakpoint
ALTER TABLE "attention"."wallet_bindings" ADD COLUMN "twitch_user_id" text;--> statement-breakpoint
ALTER TABLE "attention"."wallet_bindings" ADD COLUMN "authorized_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "twitch_auth_states_expires_idx" ON "attention"."twitch_auth_states" USING btree ("expires_at");--> statement-breakpoint
CREATE INDEX "viewer_sessions_expires_idx" ON "attention"."viewer_sessions" USING btree ("expires_at");--> statement-breakpoint
CREATE INDEX "wallet_binding_history_user_hash_idx" ON "attention"."wallet_binding_history" USING btree ("user_hash");--> statement-breakpoint
CREATE INDEX "wallet_binding_history_unannounced_idx" ON "attention"."wallet_binding_history" USING btree ("id") WHERE "attention"."wallet_binding_history"."announced_at" is null;--> statement-breakpoint
CREATE UNIQUE INDEX "wallet_bindings_twitch_user_id_idx" ON "attention"."wallet_bindings" USING btree ("twitch_user_id");
-- Bindings made before sign-in keep no Twitch user id and stay in force (NULLs never collide in the
-- unique index); the first binding of their login through sign-in ends them as legacy-replaced.
