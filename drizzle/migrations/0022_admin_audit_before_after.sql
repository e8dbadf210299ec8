ALTER TABLE "creator"."admin_audit_log" ADD COLUMN "before" jsonb;--> statement-breakpoint
ALTER TABLE "creator"."admin_audit_log" ADD COLUMN "after" jsonb;--> statement-breakpoint
CREATE INDEX "admin_audit_log_action_idx" ON "creator"."admin_audit_log" USING btree ("action","created_at");--> statement-breakpoint
CREATE INDEX "admin_audit_log_target_idx" ON "creator"."admin_audit_log" USING btree ("target_type","target_id","created_at");