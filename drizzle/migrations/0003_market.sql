CREATE SCHEMA "market";
--> statement-breakpoint
CREATE TABLE "market"."chain_blocks" (
	"chain_id" integer NOT NULL,
	"number" bigint NOT NULL,
	"hash" text NOT NULL,
	"timestamp" bigint NOT NULL,
	CONSTRAINT "chain_blocks_chain_id_number_pk" PRIMARY KEY("chain_id","number")
);
--> statement-breakpoint
CREATE TABLE "market"."chain_cursors" (
	"chain_id" integer NOT NULL,
	"contract_address" text NOT NULL,
	"kind" text NOT NULL,
	"last_block" bigint NOT NULL,
	"last_block_hash" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "chain_cursors_chain_id_contract_address_pk" PRIMARY KEY("chain_id","contract_address")
);
--> statement-breakpoint
CREATE TABLE "market"."claimable_balances" (
	"credential_id" text PRIMARY KEY NOT NULL,
	"holder" text NOT NULL,
	"accrued" numeric(78, 0) DEFAULT '0' NOT NULL,
	"claimed" numeric(78, 0) DEFAULT '0' NOT NULL,
	"accrued_until" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "market"."emission_calculations" (
	"credential_id" text NOT NULL,
	"period_end" bigint NOT NULL,
	"rate_per_second" numeric(78, 0) NOT NULL,
	"multiplier_bps" integer NOT NULL,
	"accrued_total" numeric(78, 0) NOT NULL,
	"job_id" bigint,
	CONSTRAINT "emission_calculations_credential_id_period_end_pk" PRIMARY KEY("credential_id","period_end")
);
--> statement-breakpoint
CREATE TABLE "market"."generation_jobs" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "market"."generation_jobs_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone,
	"status" text DEFAULT 'running' NOT NULL,
	"as_of" bigint NOT NULL,
	"credentials_checked" integer DEFAULT 0 NOT NULL,
	"tokens_accrued" numeric(78, 0) DEFAULT '0' NOT NULL,
	"claims_minted" integer DEFAULT 0 NOT NULL,
	"error" text
);
--> statement-breakpoint
CREATE TABLE "market"."liquidity_metrics" (
	"chain_id" integer NOT NULL,
	"pool_address" text NOT NULL,
	"bucket_start" bigint NOT NULL,
	"reserve0" numeric(78, 0) NOT NULL,
	"reserve1" numeric(78, 0) NOT NULL,
	"tvl_quote" numeric(78, 0) NOT NULL,
	CONSTRAINT "liquidity_metrics_chain_id_pool_address_bucket_start_pk" PRIMARY KEY("chain_id","pool_address","bucket_start")
);
--> statement-breakpoint
CREATE TABLE "market"."credentials" (
	"id" text PRIMARY KEY NOT NULL,
	"holder" text NOT NULL,
	"status" text NOT NULL,
	"tier" text NOT NULL,
	"issued_at" bigint NOT NULL,
	"expires_at" bigint,
	"revoked_at" bigint,
	"checked_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "market"."pools" (
	"chain_id" integer NOT NULL,
	"address" text NOT NULL,
	"token0" text NOT NULL,
	"token1" text NOT NULL,
	"base_token" text NOT NULL,
	"quote_token" text NOT NULL,
	"created_block" bigint NOT NULL,
	"created_tx" text NOT NULL,
	CONSTRAINT "pools_chain_id_address_pk" PRIMARY KEY("chain_id","address")
);
--> statement-breakpoint
CREATE TABLE "market"."rankings" (
	"kind" text NOT NULL,
	"rank" integer NOT NULL,
	"subject" text NOT NULL,
	"score" numeric NOT NULL,
	"details" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"computed_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "rankings_kind_rank_pk" PRIMARY KEY("kind","rank")
);
--> statement-breakpoint
CREATE TABLE "market"."tokens" (
	"chain_id" integer NOT NULL,
	"address" text NOT NULL,
	"symbol" text,
	"name" text,
	"decimals" integer DEFAULT 18 NOT NULL,
	"first_seen_block" bigint NOT NULL,
	CONSTRAINT "tokens_chain_id_address_pk" PRIMARY KEY("chain_id","address")
);
--> statement-breakpoint
CREATE TABLE "market"."transactions" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "market"."transactions_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"chain_id" integer NOT NULL,
	"pool_address" text NOT NULL,
	"tx_hash" text NOT NULL,
	"log_index" integer NOT NULL,
	"block_number" bigint NOT NULL,
	"block_hash" text NOT NULL,
	"block_timestamp" bigint NOT NULL,
	"kind" text NOT NULL,
	"sender" text NOT NULL,
	"recipient" text NOT NULL,
	"amount0_in" numeric(78, 0) DEFAULT '0' NOT NULL,
	"amount1_in" numeric(78, 0) DEFAULT '0' NOT NULL,
	"amount0_out" numeric(78, 0) DEFAULT '0' NOT NULL,
	"amount1_out" numeric(78, 0) DEFAULT '0' NOT NULL
);
--> statement-breakpoint
CREATE TABLE "market"."users" (
	"id" text PRIMARY KEY NOT NULL,
	"address" text,
	"email" text,
	"phone" text,
	"push_endpoint" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "market"."notification_outbox" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "market"."notification_outbox_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"user_id" text NOT NULL,
	"channel" text NOT NULL,
	"event_id" text NOT NULL,
	"trigger" text NOT NULL,
	"subject" text NOT NULL,
	"body" text NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"not_before" timestamp with time zone DEFAULT now() NOT NULL,
	"last_error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"sent_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "market"."notification_preferences" (
	"user_id" text PRIMARY KEY NOT NULL,
	"channels" jsonb DEFAULT '["email"]'::jsonb NOT NULL,
	"quiet_start_minute" integer,
	"quiet_end_minute" integer,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "market"."notification_subscriptions" (
	"id" text PRIMARY KEY NOT NULL,
	"user_id" text NOT NULL,
	"trigger" text NOT NULL,
	"params" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "market"."notification_templates" (
	"trigger" text NOT NULL,
	"channel" text NOT NULL,
	"subject" text NOT NULL,
	"body" text NOT NULL,
	CONSTRAINT "notification_templates_trigger_channel_pk" PRIMARY KEY("trigger","channel")
);
--> statement-breakpoint
CREATE TABLE "market"."price_feeds" (
	"chain_id" integer NOT NULL,
	"pool_address" text NOT NULL,
	"block_number" bigint NOT NULL,
	"block_timestamp" bigint NOT NULL,
	"reserve0" numeric(78, 0) NOT NULL,
	"reserve1" numeric(78, 0) NOT NULL,
	"price0" numeric NOT NULL,
	"price1" numeric NOT NULL,
	"price0_cumulative" numeric(78, 0) NOT NULL,
	"price1_cumulative" numeric(78, 0) NOT NULL,
	"cumulative_timestamp" bigint NOT NULL,
	CONSTRAINT "price_feeds_chain_id_pool_address_block_number_pk" PRIMARY KEY("chain_id","pool_address","block_number")
);
--> statement-breakpoint
CREATE TABLE "market"."claims" (
	"id" text PRIMARY KEY NOT NULL,
	"request_id" text NOT NULL,
	"credential_id" text NOT NULL,
	"holder" text NOT NULL,
	"amount" numeric(78, 0) NOT NULL,
	"status" text NOT NULL,
	"tx_hash" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"minted_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "market"."twap_calculations" (
	"chain_id" integer NOT NULL,
	"pool_address" text NOT NULL,
	"token_address" text NOT NULL,
	"window_seconds" integer NOT NULL,
	"start_timestamp" bigint NOT NULL,
	"end_timestamp" bigint NOT NULL,
	"twap_x112" numeric(78, 0) NOT NULL,
	"twap" numeric NOT NULL,
	"computed_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "twap_calculations_chain_id_pool_address_token_address_window_seconds_end_timestamp_pk" PRIMARY KEY("chain_id","pool_address","token_address","window_seconds","end_timestamp")
);
--> statement-breakpoint
CREATE TABLE "market"."volume_metrics" (
	"chain_id" integer NOT NULL,
	"pool_address" text NOT NULL,
	"bucket_start" bigint NOT NULL,
	"base_token" text NOT NULL,
	"base_volume" numeric(78, 0) NOT NULL,
	"quote_volume" numeric(78, 0) NOT NULL,
	"trades" integer NOT NULL,
	CONSTRAINT "volume_metrics_chain_id_pool_address_bucket_start_pk" PRIMARY KEY("chain_id","pool_address","bucket_start")
);
--> statement-breakpoint
CREATE INDEX "claimable_balances_holder_idx" ON "market"."claimable_balances" USING btree ("holder");--> statement-breakpoint
CREATE INDEX "credentials_holder_idx" ON "market"."credentials" USING btree ("holder");--> statement-breakpoint
CREATE INDEX "pools_base_idx" ON "market"."pools" USING btree ("chain_id","base_token");--> statement-breakpoint
CREATE UNIQUE INDEX "transactions_log_uq" ON "market"."transactions" USING btree ("chain_id","tx_hash","log_index");--> statement-breakpoint
CREATE INDEX "transactions_pool_time_idx" ON "market"."transactions" USING btree ("chain_id","pool_address","block_timestamp");--> statement-breakpoint
CREATE INDEX "transactions_block_idx" ON "market"."transactions" USING btree ("chain_id","block_number");--> statement-breakpoint
CREATE UNIQUE INDEX "notification_outbox_event_uq" ON "market"."notification_outbox" USING btree ("user_id","channel","event_id");--> statement-breakpoint
CREATE INDEX "notification_outbox_user_idx" ON "market"."notification_outbox" USING btree ("user_id","created_at");--> statement-breakpoint
CREATE INDEX "notification_outbox_status_idx" ON "market"."notification_outbox" USING btree ("status","not_before");--> statement-breakpoint
CREATE INDEX "notification_subscriptions_trigger_idx" ON "market"."notification_subscriptions" USING btree ("trigger","active");--> statement-breakpoint
CREATE INDEX "price_feeds_time_idx" ON "market"."price_feeds" USING btree ("chain_id","pool_address","block_timestamp");--> statement-breakpoint
CREATE UNIQUE INDEX "claims_request_uq" ON "market"."claims" USING btree ("request_id");--> statement-breakpoint
CREATE INDEX "claims_credential_idx" ON "market"."claims" USING btree ("credential_id");--> statement-breakpoint
CREATE INDEX "volume_metrics_base_idx" ON "market"."volume_metrics" USING btree ("chain_id","base_token","bucket_start");--> statement-breakpoint
CREATE INDEX "volume_metrics_bucket_idx" ON "market"."volume_metrics" USING btree ("chain_id","bucket_start");