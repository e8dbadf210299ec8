ALTER TABLE "attention"."carried_balances" ALTER COLUMN "amount" SET DATA TYPE numeric(40, 0);--> statement-breakpoint
ALTER TABLE "attention"."carried_balances" ALTER COLUMN "amount" SET DEFAULT 0;--> statement-breakpoint
ALTER TABLE "attention"."carry_ledger" ALTER COLUMN "id" SET DATA TYPE bigint;--> statement-breakpoint
ALTER TABLE "attention"."carry_ledger" ALTER COLUMN "id" SET MAXVALUE 9223372036854775807;