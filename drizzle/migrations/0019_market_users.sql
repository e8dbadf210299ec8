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
CREATE TABLE "market"."sessions" (
	"token_hash" text PRIMARY KEY NOT NULL,
	"address" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"revoked_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "market"."sign_in_nonces" (
	"nonce" text PRIMARY KEY NOT NULL,
	"source_hash" text NOT NULL,
	"issued_at" timestamp with time zone NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"used_at" timestamp with time zone,
	"address" text
);
--> statement-breakpoint
ALTER TABLE "market"."users" ADD COLUMN "email_verified_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "market"."users" ADD COLUMN "phone_verified_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "market"."notification_outbox" ADD COLUMN "destination" text;--> statement-breakpoint
ALTER TABLE "market"."notification_subscriptions" ADD COLUMN "source_hash" text;--> statement-breakpoint
CREATE INDEX "contact_verifications_user_idx" ON "market"."contact_verifications" USING btree ("user_id","channel","created_at");--> statement-breakpoint
CREATE INDEX "contact_verifications_source_idx" ON "market"."contact_verifications" USING btree ("source_hash","created_at");--> statement-breakpoint
CREATE INDEX "contact_verifications_secret_idx" ON "market"."contact_verifications" USING btree ("secret_hash");--> statement-breakpoint
CREATE INDEX "sessions_address_idx" ON "market"."sessions" USING btree ("address");--> statement-breakpoint
CREATE INDEX "sessions_expiry_idx" ON "market"."sessions" USING btree ("expires_at");--> statement-breakpoint
CREATE INDEX "sign_in_nonces_source_idx" ON "market"."sign_in_nonces" USING btree ("source_hash","expires_at");--> statement-breakpoint
CREATE INDEX "sign_in_nonces_expiry_idx" ON "market"."sign_in_nonces" USING btree ("expires_at");--> statement-breakpoint
CREATE INDEX "notification_subscriptions_user_idx" ON "market"."notification_subscriptions" USING btree ("user_id","active");--> statement-breakpoint
CREATE INDEX "notification_subscriptions_source_idx" ON "market"."notification_subscriptions" USING btree ("source_hash","created_at");