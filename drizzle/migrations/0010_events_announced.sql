ALTER TABLE "attention"."publications" ADD COLUMN "announced_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "creator"."creator_milestones" ADD COLUMN "announced_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "publications_unannounced_idx" ON "attention"."publications" USING btree ("published_at") WHERE "attention"."publications"."status" = 'published' and "attention"."publications"."announced_at" is null;--> statement-breakpoint
CREATE INDEX "creator_milestones_unannounced_idx" ON "creator"."creator_milestones" USING btree ("id") WHERE "creator"."creator_milestones"."announced_at" is null;--> statement-breakpoint
-- Rows from before this migration were never announced and are not news any more.
UPDATE "attention"."publications" SET "announced_at" = coalesce("published_at", now()) WHERE "status" = 'published';--> statement-breakpoint
UPDATE "creator"."creator_milestones" SET "announced_at" = "reached_at";
