ALTER TABLE "attention"."sealed_epochs" ADD COLUMN "announced_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "sealed_epochs_unannounced_idx" ON "attention"."sealed_epochs" USING btree ("epoch") WHERE "attention"."sealed_epochs"."announced_at" is null;--> statement-breakpoint
-- Channels sealed before this migration are not news any more.
UPDATE "attention"."sealed_epochs" SET "announced_at" = "sealed_at";
