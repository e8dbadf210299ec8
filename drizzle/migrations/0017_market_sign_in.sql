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
CREATE INDEX "sessions_address_idx" ON "market"."sessions" USING btree ("address");--> statement-breakpoint
CREATE INDEX "sessions_expiry_idx" ON "market"."sessions" USING btree ("expires_at");--> statement-breakpoint
CREATE INDEX "sign_in_nonces_source_idx" ON "market"."sign_in_nonces" USING btree ("source_hash","expires_at");--> statement-breakpoint
CREATE INDEX "sign_in_nonces_expiry_idx" ON "market"."sign_in_nonces" USING btree ("expires_at");