CREATE SCHEMA "attention";
--> statement-breakpoint
CREATE TABLE "attention"."carried_balances" (
	"user_hash" text NOT NULL,
	"token_group" text NOT NULL,
	"amount" bigint DEFAULT 0 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "carried_balances_user_hash_token_group_pk" PRIMARY KEY("user_hash","token_group"),
	CONSTRAINT "carried_balances_amount_nonnegative" CHECK ("attention"."carried_balances"."amount" >= 0)
);
--> statement-breakpoint
CREATE TABLE "attention"."carry_ledger" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "attention"."carry_ledger_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"user_hash" text NOT NULL,
	"token_group" text NOT NULL,
	"delta" bigint NOT NULL,
	"reason" text NOT NULL,
	"source_key" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "attention"."channel_config" (
	"channel" text PRIMARY KEY NOT NULL,
	"token_group" text DEFAULT 'OTHER' NOT NULL,
	"category_override" text,
	"blocked" boolean DEFAULT false NOT NULL,
	"reason" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "attention"."channel_participation" (
	"epoch" bigint NOT NULL,
	"channel" text NOT NULL,
	"user_hash" text NOT NULL,
	"first_seen" timestamp with time zone NOT NULL,
	"weight" bigint DEFAULT 0 NOT NULL,
	"presence" integer DEFAULT 0 NOT NULL,
	"subs" integer DEFAULT 0 NOT NULL,
	"resubs" integer DEFAULT 0 NOT NULL,
	"gifts" integer DEFAULT 0 NOT NULL,
	"bits" bigint DEFAULT 0 NOT NULL,
	"raiders" bigint DEFAULT 0 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "channel_participation_epoch_channel_user_hash_pk" PRIMARY KEY("epoch","channel","user_hash")
);
--> statement-breakpoint
CREATE TABLE "attention"."channels" (
	"channel" text PRIMARY KEY NOT NULL,
	"broadcaster_id" text,
	"display_name" text,
	"game_name" text,
	"category" text DEFAULT 'default' NOT NULL,
	"token_group" text DEFAULT 'OTHER' NOT NULL,
	"tracked" boolean DEFAULT true NOT NULL,
	"viewers" integer DEFAULT 0 NOT NULL,
	"followers" integer DEFAULT 0 NOT NULL,
	"started_at" timestamp with time zone,
	"last_seen_live_at" timestamp with time zone,
	"offline_since" timestamp with time zone,
	"added_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "attention"."discovery_runs" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "attention"."discovery_runs_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"mode" text NOT NULL,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone,
	"channels_seen" integer DEFAULT 0 NOT NULL,
	"channels_added" integer DEFAULT 0 NOT NULL,
	"channels_removed" integer DEFAULT 0 NOT NULL,
	"helix_requests" integer DEFAULT 0 NOT NULL,
	"outcome" text DEFAULT 'running' NOT NULL,
	"error" text
);
--> statement-breakpoint
CREATE TABLE "attention"."merkle_trees" (
	"epoch" bigint NOT NULL,
	"channel" text NOT NULL,
	"kind" text NOT NULL,
	"token_group" text NOT NULL,
	"format" text NOT NULL,
	"root" text NOT NULL,
	"leaf_count" integer NOT NULL,
	"total_amount" bigint NOT NULL,
	"dump" jsonb NOT NULL,
	"build_ms" integer DEFAULT 0 NOT NULL,
	"built_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "merkle_trees_epoch_channel_pk" PRIMARY KEY("epoch","channel")
);
--> statement-breakpoint
CREATE TABLE "attention"."publications" (
	"epoch" bigint NOT NULL,
	"channel" text NOT NULL,
	"mint" text,
	"mode" text NOT NULL,
	"root" text NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"signature" text,
	"last_valid_block_height" bigint,
	"attempts" integer DEFAULT 0 NOT NULL,
	"slot" bigint,
	"fee_lamports" bigint,
	"error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"published_at" timestamp with time zone,
	CONSTRAINT "publications_epoch_channel_pk" PRIMARY KEY("epoch","channel")
);
--> statement-breakpoint
CREATE TABLE "attention"."raw_events" (
	"event_id" text PRIMARY KEY NOT NULL,
	"channel" text NOT NULL,
	"user_hash" text NOT NULL,
	"kind" text NOT NULL,
	"amount" bigint DEFAULT 1 NOT NULL,
	"epoch" bigint NOT NULL,
	"source_epoch" bigint NOT NULL,
	"occurred_at" timestamp with time zone NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "attention"."sealed_epochs" (
	"epoch" bigint NOT NULL,
	"channel" text NOT NULL,
	"token_group" text NOT NULL,
	"category" text NOT NULL,
	"participant_count" integer NOT NULL,
	"total_weight" bigint NOT NULL,
	"sealed_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "sealed_epochs_epoch_channel_pk" PRIMARY KEY("epoch","channel")
);
--> statement-breakpoint
CREATE TABLE "attention"."sealed_participants" (
	"epoch" bigint NOT NULL,
	"channel" text NOT NULL,
	"position" integer NOT NULL,
	"user_hash" text NOT NULL,
	"first_seen" timestamp with time zone NOT NULL,
	"weight" bigint NOT NULL,
	"amount" bigint NOT NULL,
	CONSTRAINT "sealed_participants_epoch_channel_position_pk" PRIMARY KEY("epoch","channel","position")
);
--> statement-breakpoint
CREATE TABLE "attention"."suppression_list" (
	"user_hash" text PRIMARY KEY NOT NULL,
	"reason" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "attention"."user_mapping" (
	"user_hash" text PRIMARY KEY NOT NULL,
	"username" text NOT NULL,
	"first_seen" timestamp with time zone DEFAULT now() NOT NULL,
	"last_seen" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "attention"."user_signals" (
	"epoch" bigint NOT NULL,
	"channel" text NOT NULL,
	"user_hash" text NOT NULL,
	"kind" text NOT NULL,
	"count" integer DEFAULT 0 NOT NULL,
	"amount" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "user_signals_epoch_channel_user_hash_kind_pk" PRIMARY KEY("epoch","channel","user_hash","kind")
);
--> statement-breakpoint
CREATE TABLE "attention"."wallet_bindings" (
	"user_hash" text PRIMARY KEY NOT NULL,
	"username" text NOT NULL,
	"wallet" text NOT NULL,
	"bound_at" timestamp with time zone DEFAULT now() NOT NULL,
	"nonce" text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "carry_ledger_source_idx" ON "attention"."carry_ledger" USING btree ("source_key","user_hash","token_group");--> statement-breakpoint
CREATE INDEX "channel_participation_user_idx" ON "attention"."channel_participation" USING btree ("user_hash");--> statement-breakpoint
CREATE INDEX "channels_tracked_idx" ON "attention"."channels" USING btree ("tracked");--> statement-breakpoint
CREATE INDEX "discovery_runs_started_idx" ON "attention"."discovery_runs" USING btree ("started_at");--> statement-breakpoint
CREATE INDEX "publications_status_idx" ON "attention"."publications" USING btree ("status","channel","epoch");--> statement-breakpoint
CREATE INDEX "raw_events_epoch_channel_idx" ON "attention"."raw_events" USING btree ("epoch","channel");--> statement-breakpoint
CREATE INDEX "sealed_epochs_sealed_at_idx" ON "attention"."sealed_epochs" USING btree ("sealed_at");--> statement-breakpoint
CREATE UNIQUE INDEX "sealed_participants_user_idx" ON "attention"."sealed_participants" USING btree ("epoch","channel","user_hash");--> statement-breakpoint
CREATE INDEX "sealed_participants_user_hash_idx" ON "attention"."sealed_participants" USING btree ("user_hash");--> statement-breakpoint
CREATE UNIQUE INDEX "wallet_bindings_nonce_idx" ON "attention"."wallet_bindings" USING btree ("nonce");