CREATE TABLE "attention"."recovery_snapshots" (
	"day" date PRIMARY KEY NOT NULL,
	"as_of" timestamp with time zone NOT NULL,
	"taken_at" timestamp with time zone DEFAULT now() NOT NULL,
	"carried_viewers" integer NOT NULL,
	"carried_amount" numeric(40, 0) NOT NULL,
	"recovered_viewers" integer NOT NULL,
	"recovered_amount" numeric(40, 0) NOT NULL,
	"orphaned_viewers" integer NOT NULL,
	"returned_viewers" integer NOT NULL,
	"participants" integer NOT NULL,
	"mapped_participants" integer NOT NULL,
	"bound_participants" integer NOT NULL,
	"sealed_participations" integer NOT NULL,
	"sealed_amount" numeric(40, 0) NOT NULL,
	"overflow_participations" integer NOT NULL,
	"overflow_amount" numeric(40, 0) NOT NULL,
	CONSTRAINT "recovery_snapshots_counts" CHECK ("attention"."recovery_snapshots"."mapped_participants" <= "attention"."recovery_snapshots"."participants" and "attention"."recovery_snapshots"."bound_participants" <= "attention"."recovery_snapshots"."participants"
        and "attention"."recovery_snapshots"."overflow_participations" <= "attention"."recovery_snapshots"."sealed_participations" and "attention"."recovery_snapshots"."returned_viewers" <= "attention"."recovery_snapshots"."orphaned_viewers")
);
