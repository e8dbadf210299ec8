ALTER TABLE "attention"."user_signals" DISABLE ROW LEVEL SECURITY;--> statement-breakpoint
DROP TABLE "attention"."user_signals" CASCADE;--> statement-breakpoint
DROP INDEX "attention"."raw_events_epoch_channel_idx";--> statement-breakpoint
CREATE VIEW "attention"."user_signals" AS (select cp.epoch, cp.channel, cp.user_hash, s.kind, s.amount
      from attention.channel_participation cp
      cross join lateral (values
        ('presence', cp.presence::bigint), ('sub', cp.subs::bigint), ('resub', cp.resubs::bigint),
        ('gift', cp.gifts::bigint), ('bits', cp.bits), ('raid', cp.raiders)
      ) as s(kind, amount)
      where s.amount > 0);