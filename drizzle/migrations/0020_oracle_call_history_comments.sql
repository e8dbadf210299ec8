-- Comments on oracle_call_history, its columns and its indexes, as the source's migration has them
-- (oracle-call-history-and-alerts.md: "Comprehensive comments for documentation"), generalised
-- from FPMM calls to every contract the delivery engine writes to.
COMMENT ON TABLE "delivery"."oracle_call_history" IS 'One row per on-chain write (oracle call) handed to the delivery engine: what was called, its status, attempts and outcome. Attempts at a nonce are in delivery.oracle_tx_attempts.';
--> statement-breakpoint
COMMENT ON COLUMN "delivery"."oracle_call_history"."id" IS 'Primary key.';
--> statement-breakpoint
COMMENT ON COLUMN "delivery"."oracle_call_history"."request_id" IS 'The caller''s unique request id, for correlation and idempotency: enqueueing it again returns this call and sends nothing.';
--> statement-breakpoint
COMMENT ON COLUMN "delivery"."oracle_call_history"."chain_id" IS 'EVM chain id the call is sent on.';
--> statement-breakpoint
COMMENT ON COLUMN "delivery"."oracle_call_history"."signer_address" IS 'Oracle signer (lowercase) that signs the call; calls of one signer are sent in order (its own FIFO group and nonces).';
--> statement-breakpoint
COMMENT ON COLUMN "delivery"."oracle_call_history"."contract_address" IS 'Contract called (lowercase): a SimpleFPMM market, CreatorMetricsManager, CreatorTokenFactory, a reward token.';
--> statement-breakpoint
COMMENT ON COLUMN "delivery"."oracle_call_history"."target_address" IS 'Address the call is about (lowercase) and the key of the admin alerts: the FPMM address (market id) for FPMM calls, the creator for creator calls, else the contract address.';
--> statement-breakpoint
COMMENT ON COLUMN "delivery"."oracle_call_history"."season_id" IS 'Season id for context (FPMM calls); null otherwise.';
--> statement-breakpoint
COMMENT ON COLUMN "delivery"."oracle_call_history"."player_address" IS 'Player wallet (lowercase) the call concerns (FPMM calls); null otherwise.';
--> statement-breakpoint
COMMENT ON COLUMN "delivery"."oracle_call_history"."function_name" IS 'Contract function called, e.g. updateRaffleProbability, updateMarketSentiment, updateCreatorMetrics.';
--> statement-breakpoint
COMMENT ON COLUMN "delivery"."oracle_call_history"."parameters" IS 'Parameters passed to the function (JSON, uint256 values as decimal strings), for the audit trail.';
--> statement-breakpoint
COMMENT ON COLUMN "delivery"."oracle_call_history"."call_data" IS 'ABI-encoded call data (0x hex) signed into every attempt.';
--> statement-breakpoint
COMMENT ON COLUMN "delivery"."oracle_call_history"."status" IS 'queued (recorded, not sent), pending (holds a nonce, waiting for what is mined there), retrying (waiting for next_attempt_at), success, failed (for good; in the DLQ), superseded (a newer call with the same supersede_key succeeded first), abandoned (failed, and its effect compensated elsewhere, e.g. a mint refunded into the holder''s balance: never retried or redriven; notes says why).';
--> statement-breakpoint
COMMENT ON COLUMN "delivery"."oracle_call_history"."generation" IS 'Raised each time an operator reopens a failed call (retry route, DLQ redrive); attempt_count counts per generation.';
--> statement-breakpoint
COMMENT ON COLUMN "delivery"."oracle_call_history"."attempt_count" IS 'Attempts made in this generation (a replacement at the same nonce is part of the same attempt).';
--> statement-breakpoint
COMMENT ON COLUMN "delivery"."oracle_call_history"."max_attempts" IS 'Attempts allowed per generation: the first plus ORACLE_MAX_RETRIES retries, as configured when the call was enqueued.';
--> statement-breakpoint
COMMENT ON COLUMN "delivery"."oracle_call_history"."supersede_key" IS 'Calls sharing this key replace each other (a creator''s metrics): once a newer one succeeded, an older one still retrying is dropped.';
--> statement-breakpoint
COMMENT ON COLUMN "delivery"."oracle_call_history"."next_attempt_at" IS 'When a retrying call is sent again (after the 2, 4, 8, 16, 30 s backoff).';
--> statement-breakpoint
COMMENT ON COLUMN "delivery"."oracle_call_history"."transaction_hash" IS 'Hash of the transaction mined for the call, once successful.';
--> statement-breakpoint
COMMENT ON COLUMN "delivery"."oracle_call_history"."block_number" IS 'Block the successful transaction was mined in.';
--> statement-breakpoint
COMMENT ON COLUMN "delivery"."oracle_call_history"."gas_used" IS 'Gas used by the successful transaction.';
--> statement-breakpoint
COMMENT ON COLUMN "delivery"."oracle_call_history"."error_message" IS 'Error message of the last failed attempt (a revert''s decoded reason), if any.';
--> statement-breakpoint
COMMENT ON COLUMN "delivery"."oracle_call_history"."error_code" IS 'Error class for categorization: network, gas, nonce, execution, unknown (or superseded).';
--> statement-breakpoint
COMMENT ON COLUMN "delivery"."oracle_call_history"."retry_reason" IS 'Why the call was retried, e.g. "network error; retry 2 of 5".';
--> statement-breakpoint
COMMENT ON COLUMN "delivery"."oracle_call_history"."notes" IS 'Additional debugging notes (operator reopenings, nonce fills).';
--> statement-breakpoint
COMMENT ON COLUMN "delivery"."oracle_call_history"."created_at" IS 'When the call was recorded.';
--> statement-breakpoint
COMMENT ON COLUMN "delivery"."oracle_call_history"."first_attempt_at" IS 'When the first attempt was made.';
--> statement-breakpoint
COMMENT ON COLUMN "delivery"."oracle_call_history"."last_attempt_at" IS 'When the last attempt was made.';
--> statement-breakpoint
COMMENT ON COLUMN "delivery"."oracle_call_history"."completed_at" IS 'When the call reached its final status (success, failed, superseded, abandoned).';
--> statement-breakpoint
COMMENT ON COLUMN "delivery"."oracle_call_history"."updated_at" IS 'When the row last changed.';
--> statement-breakpoint
COMMENT ON INDEX "delivery"."oracle_call_history_pkey" IS 'Primary key: a call by id (admin routes, the queue messages).';
--> statement-breakpoint
COMMENT ON INDEX "delivery"."oracle_call_history_request_id_key" IS 'One call per request id: makes enqueueing idempotent.';
--> statement-breakpoint
COMMENT ON INDEX "delivery"."idx_oracle_call_history_target_address" IS 'Fast lookup by target (FPMM) address: GET /admin/oracle-calls?address=.';
--> statement-breakpoint
COMMENT ON INDEX "delivery"."idx_oracle_call_history_status" IS 'Fast lookup by status.';
--> statement-breakpoint
COMMENT ON INDEX "delivery"."idx_oracle_call_history_created_at" IS 'Time-based queries (newest first, since).';
--> statement-breakpoint
COMMENT ON INDEX "delivery"."idx_oracle_call_history_player" IS 'Player-based queries (FPMM calls; rows with a player only).';
--> statement-breakpoint
COMMENT ON INDEX "delivery"."idx_oracle_call_history_season" IS 'Season-based queries (FPMM calls; rows with a season only).';
--> statement-breakpoint
COMMENT ON INDEX "delivery"."idx_oracle_call_history_function" IS 'Function-based queries.';
--> statement-breakpoint
COMMENT ON INDEX "delivery"."idx_oracle_call_history_failed" IS 'Failed and retrying calls, by time: what needs a retry or an operator.';
--> statement-breakpoint
COMMENT ON INDEX "delivery"."idx_oracle_call_history_audit" IS 'Audit trail: the calls about one address, by function and time.';
--> statement-breakpoint
COMMENT ON INDEX "delivery"."idx_oracle_call_history_due" IS 'Retrying calls by next_attempt_at: what the confirmer sends next.';
--> statement-breakpoint
COMMENT ON INDEX "delivery"."idx_oracle_call_history_supersede" IS 'Calls sharing a supersede key, oldest first: finds the older calls a success supersedes.';
--> statement-breakpoint
COMMENT ON INDEX "delivery"."idx_oracle_call_history_signer_status" IS 'A signer''s calls by status on one chain: nonce reconciliation and the confirmer.';
