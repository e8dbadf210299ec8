/**
 * The business metrics the CloudWatch alarms watch (lib/stacks/monitoring-stack.ts). Services emit
 * exactly these names in this namespace, so an alarm and its emitter cannot drift apart.
 *
 * Powertools Metrics always adds a `service` dimension (POWERTOOLS_SERVICE_NAME). Every function
 * runs with the same service name, METRICS_SERVICE, so each metric below has exactly one series,
 * `{ service: METRICS_SERVICE }`, and the alarms select that series. Emit them with no further
 * dimensions; per-channel or per-address detail belongs in the logs.
 */
export const METRICS_NAMESPACE = 'EngagementOracle';
export const METRICS_SERVICE = 'engagement-oracle';

export const METRIC = {
  /** Percent (0–100) of non-suppressed participants in an epoch that have a user_mapping row. Alarm < 95. */
  mappingCoverage: 'MappingCoverage',
  /** Count of (epoch, channel) pairs sealed by a run. Alarm: none in 2 h. */
  epochsSealed: 'EpochsSealed',
  /** 1 for each failed discovery run. Alarm >= 1. */
  discoveryFailure: 'DiscoveryFailure',
  /** 1 for each merkle build that exceeded its time budget. Alarm >= 1. */
  merkleBuildTimeout: 'MerkleBuildTimeout',
  /** Percent of successful creator-metrics syncs in a run. Alarms < 90 (warning), < 70 (critical). */
  syncSuccessRate: 'SyncSuccessRate',
  /** Seconds since creator data on-chain last matched the database, or since the last successful sync. Alarm > 7200. */
  creatorDataStaleSeconds: 'CreatorDataStaleSeconds',
  /** Seconds from enqueueing a creator sync call to its confirmation, averaged over the last hour. Alarm >= 30. */
  creatorSyncResponseTime: 'CreatorSyncResponseTime',
  /** Highest consecutive failed-attempt count over the oracle target addresses. Alarm >= 3. */
  oracleConsecutiveFailures: 'OracleConsecutiveFailures',
  /** Percent of finished oracle calls that succeeded. Alarms < 90 (warning), < 70 (critical). */
  oracleCallSuccessRate: 'OracleCallSuccessRate',
  /** Count of oracle transactions that failed. Alarm: >= 10 in an hour. */
  oracleFailedTransactions: 'OracleFailedTransactions',
  /** 1 for each root that can no longer land (its ring slot holds a newer epoch). Alarm >= 1. */
  rootExpired: 'RootExpired',
  /**
   * 1 for each overwritten root whose unclaimed leaves the chain's history could not prove, so
   * nothing of it went back to carried balances. Alarm >= 1.
   */
  returnUndecided: 'ReturnUndecided',
  /**
   * 1 for each (epoch, channel) the sealer refused and each tree not built because an amount or a
   * sum of amounts is past 2^63 - 1, and each carried balance too large for one leaf. Alarm >= 1.
   */
  amountOverflow: 'AmountOverflow',
  /**
   * 1 for each (epoch, channel) or tree whose sealing or building failed and was left for the next
   * run, the rest of the run going on. Alarm >= 1.
   */
  sealingFailures: 'SealingFailures',
  /** Dashboard only: percent of an epoch's participants beyond tree capacity. */
  overflowShare: 'OverflowShare',
  /** Participants beyond a channel's or category's shard cap (no reward that epoch). */
  shardOverflow: 'ShardOverflow',
  /** Dashboard only: base units waiting in carried balances. */
  carriedBalance: 'CarriedBalance',
  /** Dashboard only: events credited to the open epoch because theirs was already sealed. */
  lateEvents: 'LateEvents',
  /**
   * The recovery dashboard, one point per day from the 01:00 UTC snapshot (README.md, "Recovery
   * dashboard"): viewers with a carried balance and its sum (base units), at the snapshot.
   */
  recoveryCarriedViewers: 'RecoveryCarriedViewers',
  recoveryCarriedAmount: 'RecoveryCarriedAmount',
  /** Viewers a carry tree paid during the day, and the base units paid (recovered by binding). */
  recoveredViewers: 'RecoveredViewers',
  recoveredAmount: 'RecoveredAmount',
  /** Percent of viewers ever left unbound at a tree that a carry tree has paid since. */
  recoveryRate: 'RecoveryRate',
  /** Percent of the day's participants with a user_mapping row, and with a wallet binding. */
  dailyMappingCoverage: 'DailyMappingCoverage',
  dailyBindingCoverage: 'DailyBindingCoverage',
  /** Percent of the day's sealed participations beyond the shard cap, and their base units. */
  dailyOverflowShare: 'DailyOverflowShare',
  dailyOverflowAmount: 'DailyOverflowAmount',
} as const;

export type MetricName = (typeof METRIC)[keyof typeof METRIC];
