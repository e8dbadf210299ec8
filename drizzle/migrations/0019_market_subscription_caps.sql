ALTER TABLE "market"."notification_subscriptions" ADD COLUMN "source_hash" text;--> statement-breakpoint
CREATE INDEX "notification_subscriptions_user_idx" ON "market"."notification_subscriptions" USING btree ("user_id","active");--> statement-breakpoint
CREATE INDEX "notification_subscriptions_source_idx" ON "market"."notification_subscriptions" USING btree ("source_hash","created_at");