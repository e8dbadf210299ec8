CREATE TABLE "market"."contact_verifications" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "market"."contact_verifications_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"user_id" text NOT NULL,
	"channel" text NOT NULL,
	"contact" text NOT NULL,
	"secret_hash" text NOT NULL,
	"source_hash" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"confirmed_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "market"."users" ADD COLUMN "email_verified_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "market"."users" ADD COLUMN "phone_verified_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "market"."notification_outbox" ADD COLUMN "destination" text;--> statement-breakpoint
CREATE INDEX "contact_verifications_user_idx" ON "market"."contact_verifications" USING btree ("user_id","channel","created_at");--> statement-breakpoint
CREATE INDEX "contact_verifications_source_idx" ON "market"."contact_verifications" USING btree ("source_hash","created_at");--> statement-breakpoint
CREATE INDEX "contact_verifications_secret_idx" ON "market"."contact_verifications" USING btree ("secret_hash");