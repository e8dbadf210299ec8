ALTER TABLE "attention"."merkle_trees" ALTER COLUMN "dump" SET DATA TYPE json;--> statement-breakpoint
-- Dumps are hex hashes and base58 keys: compressing them saves next to nothing and costs more
-- than writing them as they are. Rows written before keep their compression.
ALTER TABLE "attention"."merkle_trees" ALTER COLUMN "dump" SET STORAGE EXTERNAL;
