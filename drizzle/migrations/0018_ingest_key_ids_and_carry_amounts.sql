-- A carried balance is a sum of amounts each up to 2^63 - 1, past what a bigint holds.
ALTER TABLE "attention"."carried_balances" ALTER COLUMN "amount" SET DATA TYPE numeric(40, 0);--> statement-breakpoint
ALTER TABLE "attention"."carried_balances" ALTER COLUMN "amount" SET DEFAULT 0;--> statement-breakpoint
-- A ledger row per viewer per tree and per returned leaf runs past 2^31 within years.
ALTER TABLE "attention"."carry_ledger" ALTER COLUMN "id" SET DATA TYPE bigint;--> statement-breakpoint
ALTER TABLE "attention"."carry_ledger" ALTER COLUMN "id" SET MAXVALUE 9223372036854775807;--> statement-breakpoint
-- Events stored before events carried their key are marked unattributed; from now on every
-- writer names the key, so the column keeps no default.
ALTER TABLE "attention"."raw_events" ADD COLUMN "key_id" text DEFAULT 'unattributed' NOT NULL;--> statement-breakpoint
ALTER TABLE "attention"."raw_events" ALTER COLUMN "key_id" DROP DEFAULT;--> statement-breakpoint
CREATE INDEX "raw_events_key_idx" ON "attention"."raw_events" USING btree ("key_id","epoch") WHERE "attention"."raw_events"."key_id" not in ('irc', 'unattributed');--> statement-breakpoint
CREATE INDEX "raw_events_epoch_brin" ON "attention"."raw_events" USING brin ("epoch");
