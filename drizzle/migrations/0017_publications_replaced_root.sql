ALTER TABLE "attention"."publications" ADD COLUMN "replaces_epoch" bigint;--> statement-breakpoint
ALTER TABLE "attention"."publications" ADD COLUMN "replaces_bitmap" text;--> statement-breakpoint
ALTER TABLE "attention"."publications" ADD COLUMN "replaces_read_slot" bigint;