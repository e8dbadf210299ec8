CREATE TABLE "attention"."tree_builds" (
	"epoch" bigint NOT NULL,
	"channel" text NOT NULL,
	"kind" text NOT NULL,
	"token_group" text NOT NULL,
	"category" text,
	"outcome" text NOT NULL,
	"candidates" integer NOT NULL,
	"leaf_count" integer NOT NULL,
	"total_amount" bigint NOT NULL,
	"carried_count" integer NOT NULL,
	"carried_amount" bigint NOT NULL,
	"overflow_count" integer NOT NULL,
	"build_ms" integer DEFAULT 0 NOT NULL,
	"timed_out" boolean DEFAULT false NOT NULL,
	"built_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "tree_builds_epoch_channel_pk" PRIMARY KEY("epoch","channel")
);
--> statement-breakpoint
CREATE TABLE "attention"."wallet_binding_nonces" (
	"nonce" text PRIMARY KEY NOT NULL,
	"user_hash" text NOT NULL,
	"wallet" text NOT NULL,
	"used_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "attention"."publications" ADD COLUMN "token_group" text DEFAULT 'OTHER' NOT NULL;--> statement-breakpoint
ALTER TABLE "attention"."publications" ADD COLUMN "signed_transaction" text;--> statement-breakpoint
ALTER TABLE "attention"."publications" ADD COLUMN "recent_blockhash" text;--> statement-breakpoint
ALTER TABLE "attention"."publications" ADD COLUMN "queued_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "attention"."publications" ADD COLUMN "returned_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "tree_builds_kind_idx" ON "attention"."tree_builds" USING btree ("kind","epoch");