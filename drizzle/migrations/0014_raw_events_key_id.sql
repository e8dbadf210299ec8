-- Events stored before events carried their key are marked unattributed; afterwards every
-- writer names the key, so the column keeps no default.
ALTER TABLE "attention"."raw_events" ADD COLUMN "key_id" text DEFAULT 'unattributed' NOT NULL;--> statement-breakpoint
ALTER TABLE "attention"."raw_events" ALTER COLUMN "key_id" DROP DEFAULT;
