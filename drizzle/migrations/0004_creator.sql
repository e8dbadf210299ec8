CREATE SCHEMA "creator";
--> statement-breakpoint
CREATE TABLE "creator"."admin_audit_log" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "creator"."admin_audit_log_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"actor" text NOT NULL,
	"action" text NOT NULL,
	"target_type" text,
	"target_id" text,
	"details" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "creator"."comments" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"track_id" uuid NOT NULL,
	"body" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deleted_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "creator"."creator_chain_state" (
	"creator_id" uuid PRIMARY KEY NOT NULL,
	"pending_fingerprint" text,
	"pending_request_id" text,
	"pending_enqueued_at" timestamp with time zone,
	"pending_total_plays" bigint,
	"pending_followers" bigint,
	"pending_score_x100" integer,
	"pending_revenue_atto_fil" numeric(78, 0),
	"generation" integer DEFAULT 0 NOT NULL,
	"confirmed_fingerprint" text,
	"confirmed_total_plays" bigint,
	"confirmed_followers" bigint,
	"confirmed_score_x100" integer,
	"confirmed_revenue_atto_fil" numeric(78, 0),
	"confirmed_at" timestamp with time zone,
	"confirmed_tx_hash" text,
	"diverged_since" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "creator"."creator_coins" (
	"creator_id" uuid PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"symbol" text NOT NULL,
	"initial_supply" numeric(78, 0) NOT NULL,
	"request_id" text NOT NULL,
	"attempt" integer DEFAULT 1 NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"coin_address" text,
	"tx_hash" text,
	"error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"launched_at" timestamp with time zone,
	CONSTRAINT "creator_coins_symbol_valid" CHECK ("creator"."creator_coins"."symbol" ~ '^[A-Z0-9]{3,8}$'),
	CONSTRAINT "creator_coins_name_length" CHECK (char_length("creator"."creator_coins"."name") between 1 and 32)
);
--> statement-breakpoint
CREATE TABLE "creator"."creator_daily_stats" (
	"creator_id" uuid NOT NULL,
	"day" date NOT NULL,
	"plays" bigint DEFAULT 0 NOT NULL,
	"new_followers" integer DEFAULT 0 NOT NULL,
	"likes" integer DEFAULT 0 NOT NULL,
	"comments" integer DEFAULT 0 NOT NULL,
	"tracks_published" integer DEFAULT 0 NOT NULL,
	"revenue_atto_fil" numeric(78, 0) DEFAULT 0 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "creator_daily_stats_creator_id_day_pk" PRIMARY KEY("creator_id","day")
);
--> statement-breakpoint
CREATE TABLE "creator"."creator_milestones" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "creator"."creator_milestones_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"creator_id" uuid NOT NULL,
	"milestone" text NOT NULL,
	"kind" text NOT NULL,
	"threshold" numeric(78, 0) NOT NULL,
	"value_at_reach" numeric(78, 0) NOT NULL,
	"description" text NOT NULL,
	"reached_at" timestamp with time zone DEFAULT now() NOT NULL,
	"sync_run_id" uuid
);
--> statement-breakpoint
CREATE TABLE "creator"."creators" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"wallet_address" text NOT NULL,
	"stage_name" text NOT NULL,
	"verified" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deleted_at" timestamp with time zone,
	CONSTRAINT "creators_wallet_lowercase_hex" CHECK ("creator"."creators"."wallet_address" ~ '^0x[0-9a-f]{40}$')
);
--> statement-breakpoint
CREATE TABLE "creator"."daily_stats" (
	"day" date PRIMARY KEY NOT NULL,
	"plays" bigint DEFAULT 0 NOT NULL,
	"active_creators" integer DEFAULT 0 NOT NULL,
	"new_users" integer DEFAULT 0 NOT NULL,
	"new_follows" integer DEFAULT 0 NOT NULL,
	"likes" integer DEFAULT 0 NOT NULL,
	"comments" integer DEFAULT 0 NOT NULL,
	"tracks_published" integer DEFAULT 0 NOT NULL,
	"revenue_atto_fil" numeric(78, 0) DEFAULT 0 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "creator"."follows" (
	"follower_id" uuid NOT NULL,
	"creator_id" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deleted_at" timestamp with time zone,
	CONSTRAINT "follows_follower_id_creator_id_pk" PRIMARY KEY("follower_id","creator_id")
);
--> statement-breakpoint
CREATE TABLE "creator"."likes" (
	"user_id" uuid NOT NULL,
	"track_id" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deleted_at" timestamp with time zone,
	CONSTRAINT "likes_user_id_track_id_pk" PRIMARY KEY("user_id","track_id")
);
--> statement-breakpoint
CREATE TABLE "creator"."oracle_sync_logs" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "creator"."oracle_sync_logs_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"run_id" uuid NOT NULL,
	"operation" text NOT NULL,
	"creator_id" uuid,
	"request_id" text,
	"status" text NOT NULL,
	"tx_hash" text,
	"gas_used" bigint,
	"block_number" bigint,
	"retries" integer DEFAULT 0 NOT NULL,
	"error_code" text,
	"error_message" text,
	"duration_ms" integer,
	"details" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"completed_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "creator"."playlist_tracks" (
	"playlist_id" uuid NOT NULL,
	"track_id" uuid NOT NULL,
	"position" integer NOT NULL,
	"added_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "playlist_tracks_playlist_id_position_pk" PRIMARY KEY("playlist_id","position")
);
--> statement-breakpoint
CREATE TABLE "creator"."playlists" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"owner_id" uuid NOT NULL,
	"name" text NOT NULL,
	"is_public" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deleted_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "creator"."plays" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "creator"."plays_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"track_id" uuid NOT NULL,
	"creator_id" uuid NOT NULL,
	"user_id" uuid,
	"played_at" timestamp with time zone DEFAULT now() NOT NULL,
	"play_count" integer DEFAULT 1 NOT NULL,
	"listened_seconds" integer,
	"client_hash" text,
	"deleted_at" timestamp with time zone,
	CONSTRAINT "plays_count_positive" CHECK ("creator"."plays"."play_count" > 0)
);
--> statement-breakpoint
CREATE TABLE "creator"."revenue_distributions" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "creator"."revenue_distributions_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"creator_id" uuid NOT NULL,
	"quarter" text NOT NULL,
	"period_start" timestamp with time zone NOT NULL,
	"period_end" timestamp with time zone NOT NULL,
	"purchases_atto_fil" numeric(78, 0) NOT NULL,
	"tips_atto_fil" numeric(78, 0) NOT NULL,
	"revenue_atto_fil" numeric(78, 0) NOT NULL,
	"holder_share_bps" integer NOT NULL,
	"holder_share_atto_fil" numeric(78, 0) NOT NULL,
	"status" text DEFAULT 'recorded' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "creator"."tips" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"creator_id" uuid NOT NULL,
	"from_user_id" uuid,
	"amount_atto_fil" numeric(78, 0) NOT NULL,
	"message" text,
	"tx_hash" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "tips_amount_positive" CHECK ("creator"."tips"."amount_atto_fil" > 0)
);
--> statement-breakpoint
CREATE TABLE "creator"."track_purchases" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"track_id" uuid NOT NULL,
	"creator_id" uuid NOT NULL,
	"buyer_id" uuid,
	"amount_atto_fil" numeric(78, 0) NOT NULL,
	"tx_hash" text,
	"purchased_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "track_purchases_amount_positive" CHECK ("creator"."track_purchases"."amount_atto_fil" > 0)
);
--> statement-breakpoint
CREATE TABLE "creator"."tracks" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"creator_id" uuid NOT NULL,
	"title" text NOT NULL,
	"filecoin_cid" text,
	"duration_seconds" integer DEFAULT 0 NOT NULL,
	"price_atto_fil" numeric(78, 0),
	"published_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deleted_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "creator"."users" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"username" text NOT NULL,
	"email" text,
	"wallet_address" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deleted_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "creator"."comments" ADD CONSTRAINT "comments_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "creator"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "creator"."comments" ADD CONSTRAINT "comments_track_id_tracks_id_fk" FOREIGN KEY ("track_id") REFERENCES "creator"."tracks"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "creator"."creator_chain_state" ADD CONSTRAINT "creator_chain_state_creator_id_creators_id_fk" FOREIGN KEY ("creator_id") REFERENCES "creator"."creators"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "creator"."creator_coins" ADD CONSTRAINT "creator_coins_creator_id_creators_id_fk" FOREIGN KEY ("creator_id") REFERENCES "creator"."creators"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "creator"."creator_daily_stats" ADD CONSTRAINT "creator_daily_stats_creator_id_creators_id_fk" FOREIGN KEY ("creator_id") REFERENCES "creator"."creators"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "creator"."creator_milestones" ADD CONSTRAINT "creator_milestones_creator_id_creators_id_fk" FOREIGN KEY ("creator_id") REFERENCES "creator"."creators"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "creator"."creators" ADD CONSTRAINT "creators_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "creator"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "creator"."follows" ADD CONSTRAINT "follows_follower_id_users_id_fk" FOREIGN KEY ("follower_id") REFERENCES "creator"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "creator"."follows" ADD CONSTRAINT "follows_creator_id_creators_id_fk" FOREIGN KEY ("creator_id") REFERENCES "creator"."creators"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "creator"."likes" ADD CONSTRAINT "likes_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "creator"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "creator"."likes" ADD CONSTRAINT "likes_track_id_tracks_id_fk" FOREIGN KEY ("track_id") REFERENCES "creator"."tracks"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "creator"."oracle_sync_logs" ADD CONSTRAINT "oracle_sync_logs_creator_id_creators_id_fk" FOREIGN KEY ("creator_id") REFERENCES "creator"."creators"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "creator"."playlist_tracks" ADD CONSTRAINT "playlist_tracks_playlist_id_playlists_id_fk" FOREIGN KEY ("playlist_id") REFERENCES "creator"."playlists"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "creator"."playlist_tracks" ADD CONSTRAINT "playlist_tracks_track_id_tracks_id_fk" FOREIGN KEY ("track_id") REFERENCES "creator"."tracks"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "creator"."playlists" ADD CONSTRAINT "playlists_owner_id_users_id_fk" FOREIGN KEY ("owner_id") REFERENCES "creator"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "creator"."plays" ADD CONSTRAINT "plays_track_id_tracks_id_fk" FOREIGN KEY ("track_id") REFERENCES "creator"."tracks"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "creator"."plays" ADD CONSTRAINT "plays_creator_id_creators_id_fk" FOREIGN KEY ("creator_id") REFERENCES "creator"."creators"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "creator"."plays" ADD CONSTRAINT "plays_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "creator"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "creator"."revenue_distributions" ADD CONSTRAINT "revenue_distributions_creator_id_creators_id_fk" FOREIGN KEY ("creator_id") REFERENCES "creator"."creators"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "creator"."tips" ADD CONSTRAINT "tips_creator_id_creators_id_fk" FOREIGN KEY ("creator_id") REFERENCES "creator"."creators"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "creator"."tips" ADD CONSTRAINT "tips_from_user_id_users_id_fk" FOREIGN KEY ("from_user_id") REFERENCES "creator"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "creator"."track_purchases" ADD CONSTRAINT "track_purchases_track_id_tracks_id_fk" FOREIGN KEY ("track_id") REFERENCES "creator"."tracks"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "creator"."track_purchases" ADD CONSTRAINT "track_purchases_creator_id_creators_id_fk" FOREIGN KEY ("creator_id") REFERENCES "creator"."creators"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "creator"."track_purchases" ADD CONSTRAINT "track_purchases_buyer_id_users_id_fk" FOREIGN KEY ("buyer_id") REFERENCES "creator"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "creator"."tracks" ADD CONSTRAINT "tracks_creator_id_creators_id_fk" FOREIGN KEY ("creator_id") REFERENCES "creator"."creators"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "admin_audit_log_created_idx" ON "creator"."admin_audit_log" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "admin_audit_log_actor_idx" ON "creator"."admin_audit_log" USING btree ("actor","created_at");--> statement-breakpoint
CREATE INDEX "comments_track_idx" ON "creator"."comments" USING btree ("track_id","created_at");--> statement-breakpoint
CREATE INDEX "creator_chain_state_pending_idx" ON "creator"."creator_chain_state" USING btree ("pending_request_id") WHERE "creator"."creator_chain_state"."pending_request_id" is not null;--> statement-breakpoint
CREATE INDEX "creator_chain_state_diverged_idx" ON "creator"."creator_chain_state" USING btree ("diverged_since") WHERE "creator"."creator_chain_state"."diverged_since" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "creator_coins_symbol_idx" ON "creator"."creator_coins" USING btree ("symbol");--> statement-breakpoint
CREATE UNIQUE INDEX "creator_coins_name_idx" ON "creator"."creator_coins" USING btree (lower("name"));--> statement-breakpoint
CREATE UNIQUE INDEX "creator_coins_request_idx" ON "creator"."creator_coins" USING btree ("request_id");--> statement-breakpoint
CREATE INDEX "creator_daily_stats_day_idx" ON "creator"."creator_daily_stats" USING btree ("day");--> statement-breakpoint
CREATE UNIQUE INDEX "creator_milestones_creator_milestone_idx" ON "creator"."creator_milestones" USING btree ("creator_id","milestone");--> statement-breakpoint
CREATE INDEX "creator_milestones_reached_idx" ON "creator"."creator_milestones" USING btree ("reached_at");--> statement-breakpoint
CREATE UNIQUE INDEX "creators_wallet_idx" ON "creator"."creators" USING btree ("wallet_address");--> statement-breakpoint
CREATE UNIQUE INDEX "creators_user_idx" ON "creator"."creators" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "follows_creator_idx" ON "creator"."follows" USING btree ("creator_id","created_at");--> statement-breakpoint
CREATE INDEX "likes_track_idx" ON "creator"."likes" USING btree ("track_id","created_at");--> statement-breakpoint
CREATE INDEX "oracle_sync_logs_created_idx" ON "creator"."oracle_sync_logs" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "oracle_sync_logs_operation_idx" ON "creator"."oracle_sync_logs" USING btree ("operation","created_at");--> statement-breakpoint
CREATE INDEX "oracle_sync_logs_status_idx" ON "creator"."oracle_sync_logs" USING btree ("status","created_at");--> statement-breakpoint
CREATE INDEX "oracle_sync_logs_run_idx" ON "creator"."oracle_sync_logs" USING btree ("run_id");--> statement-breakpoint
CREATE UNIQUE INDEX "oracle_sync_logs_request_idx" ON "creator"."oracle_sync_logs" USING btree ("operation","request_id") WHERE "creator"."oracle_sync_logs"."request_id" is not null;--> statement-breakpoint
CREATE INDEX "oracle_sync_logs_creator_idx" ON "creator"."oracle_sync_logs" USING btree ("creator_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "playlist_tracks_track_idx" ON "creator"."playlist_tracks" USING btree ("playlist_id","track_id");--> statement-breakpoint
CREATE INDEX "playlists_owner_idx" ON "creator"."playlists" USING btree ("owner_id");--> statement-breakpoint
CREATE INDEX "plays_creator_played_idx" ON "creator"."plays" USING btree ("creator_id","played_at");--> statement-breakpoint
CREATE INDEX "plays_track_idx" ON "creator"."plays" USING btree ("track_id");--> statement-breakpoint
CREATE INDEX "plays_played_idx" ON "creator"."plays" USING btree ("played_at");--> statement-breakpoint
CREATE UNIQUE INDEX "revenue_distributions_creator_quarter_idx" ON "creator"."revenue_distributions" USING btree ("creator_id","quarter");--> statement-breakpoint
CREATE INDEX "revenue_distributions_quarter_idx" ON "creator"."revenue_distributions" USING btree ("quarter");--> statement-breakpoint
CREATE INDEX "tips_creator_idx" ON "creator"."tips" USING btree ("creator_id","created_at");--> statement-breakpoint
CREATE INDEX "track_purchases_creator_idx" ON "creator"."track_purchases" USING btree ("creator_id","purchased_at");--> statement-breakpoint
CREATE INDEX "tracks_creator_published_idx" ON "creator"."tracks" USING btree ("creator_id","published_at");--> statement-breakpoint
CREATE UNIQUE INDEX "users_username_idx" ON "creator"."users" USING btree ("username") WHERE "creator"."users"."deleted_at" is null;