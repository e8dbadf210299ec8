CREATE SCHEMA "delivery";
--> statement-breakpoint
CREATE TABLE "delivery"."admin_alert_state" (
	"target_address" text PRIMARY KEY NOT NULL,
	"consecutive_failures" integer DEFAULT 0 NOT NULL,
	"last_alert_at" timestamp with time zone,
	"last_failure_at" timestamp with time zone,
	"last_function_name" text,
	"last_error" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "delivery"."admin_alerts" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"target_address" text NOT NULL,
	"function_name" text,
	"consecutive_failures" integer NOT NULL,
	"attempt_count" integer,
	"message" text NOT NULL,
	"error" text,
	"published_to" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "delivery"."oracle_call_history" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"request_id" text NOT NULL,
	"chain_id" integer NOT NULL,
	"signer_address" text NOT NULL,
	"contract_address" text NOT NULL,
	"target_address" text NOT NULL,
	"season_id" bigint,
	"player_address" text,
	"function_name" text NOT NULL,
	"parameters" jsonb NOT NULL,
	"call_data" text NOT NULL,
	"status" text DEFAULT 'queued' NOT NULL,
	"generation" integer DEFAULT 1 NOT NULL,
	"attempt_count" integer DEFAULT 0 NOT NULL,
	"max_attempts" integer DEFAULT 6 NOT NULL,
	"supersede_key" text,
	"next_attempt_at" timestamp with time zone,
	"transaction_hash" text,
	"block_number" bigint,
	"gas_used" bigint,
	"error_message" text,
	"error_code" text,
	"retry_reason" text,
	"notes" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"first_attempt_at" timestamp with time zone,
	"last_attempt_at" timestamp with time zone,
	"completed_at" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "oracle_call_history_status_check" CHECK ("delivery"."oracle_call_history"."status" in ('queued', 'pending', 'retrying', 'success', 'failed', 'superseded')),
	CONSTRAINT "oracle_call_history_attempts_check" CHECK ("delivery"."oracle_call_history"."attempt_count" >= 0 and "delivery"."oracle_call_history"."max_attempts" > 0)
);
--> statement-breakpoint
CREATE TABLE "delivery"."oracle_tx_attempts" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"call_id" bigint NOT NULL,
	"generation" integer NOT NULL,
	"chain_id" integer NOT NULL,
	"signer_address" text NOT NULL,
	"nonce" bigint NOT NULL,
	"gas_limit" bigint NOT NULL,
	"max_fee_per_gas" numeric(78, 0) NOT NULL,
	"max_priority_fee_per_gas" numeric(78, 0) NOT NULL,
	"tx_hash" text NOT NULL,
	"tx_hashes" jsonb NOT NULL,
	"raw_transaction" text NOT NULL,
	"replacements" integer DEFAULT 0 NOT NULL,
	"sent_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_sent_at" timestamp with time zone DEFAULT now() NOT NULL,
	"outcome" text DEFAULT 'pending' NOT NULL,
	"mined_hash" text,
	"block_number" bigint,
	"receipt" jsonb,
	"error_code" text,
	"error_message" text,
	"resolved_at" timestamp with time zone,
	CONSTRAINT "oracle_tx_attempts_outcome_check" CHECK ("delivery"."oracle_tx_attempts"."outcome" in ('pending', 'mined', 'reverted', 'filled', 'lost'))
);
--> statement-breakpoint
CREATE TABLE "delivery"."signer_nonces" (
	"chain_id" integer NOT NULL,
	"signer_address" text NOT NULL,
	"next_nonce" bigint NOT NULL,
	"reconciled_at" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "signer_nonces_chain_id_signer_address_pk" PRIMARY KEY("chain_id","signer_address")
);
--> statement-breakpoint
ALTER TABLE "delivery"."oracle_tx_attempts" ADD CONSTRAINT "oracle_tx_attempts_call_id_oracle_call_history_id_fk" FOREIGN KEY ("call_id") REFERENCES "delivery"."oracle_call_history"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "admin_alerts_target_idx" ON "delivery"."admin_alerts" USING btree ("target_address","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "oracle_call_history_request_id_key" ON "delivery"."oracle_call_history" USING btree ("request_id");--> statement-breakpoint
CREATE INDEX "idx_oracle_call_history_target_address" ON "delivery"."oracle_call_history" USING btree ("target_address");--> statement-breakpoint
CREATE INDEX "idx_oracle_call_history_status" ON "delivery"."oracle_call_history" USING btree ("status");--> statement-breakpoint
CREATE INDEX "idx_oracle_call_history_created_at" ON "delivery"."oracle_call_history" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "idx_oracle_call_history_player" ON "delivery"."oracle_call_history" USING btree ("player_address") WHERE "delivery"."oracle_call_history"."player_address" is not null;--> statement-breakpoint
CREATE INDEX "idx_oracle_call_history_season" ON "delivery"."oracle_call_history" USING btree ("season_id") WHERE "delivery"."oracle_call_history"."season_id" is not null;--> statement-breakpoint
CREATE INDEX "idx_oracle_call_history_function" ON "delivery"."oracle_call_history" USING btree ("function_name");--> statement-breakpoint
CREATE INDEX "idx_oracle_call_history_failed" ON "delivery"."oracle_call_history" USING btree ("status","created_at") WHERE "delivery"."oracle_call_history"."status" in ('failed', 'retrying');--> statement-breakpoint
CREATE INDEX "idx_oracle_call_history_audit" ON "delivery"."oracle_call_history" USING btree ("target_address","function_name","created_at");--> statement-breakpoint
CREATE INDEX "idx_oracle_call_history_due" ON "delivery"."oracle_call_history" USING btree ("next_attempt_at") WHERE "delivery"."oracle_call_history"."status" = 'retrying';--> statement-breakpoint
CREATE INDEX "idx_oracle_call_history_supersede" ON "delivery"."oracle_call_history" USING btree ("supersede_key","id") WHERE "delivery"."oracle_call_history"."supersede_key" is not null;--> statement-breakpoint
CREATE INDEX "idx_oracle_call_history_signer_status" ON "delivery"."oracle_call_history" USING btree ("chain_id","signer_address","status");--> statement-breakpoint
CREATE UNIQUE INDEX "oracle_tx_attempts_signer_nonce_key" ON "delivery"."oracle_tx_attempts" USING btree ("chain_id","signer_address","nonce");--> statement-breakpoint
CREATE INDEX "oracle_tx_attempts_call_idx" ON "delivery"."oracle_tx_attempts" USING btree ("call_id");--> statement-breakpoint
CREATE INDEX "oracle_tx_attempts_pending_idx" ON "delivery"."oracle_tx_attempts" USING btree ("chain_id","signer_address","nonce") WHERE "delivery"."oracle_tx_attempts"."outcome" = 'pending';