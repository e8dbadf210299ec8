/**
 * What the creator sync needs from the oracle call delivery engine: enqueue calls (a known
 * request id is a no-op that returns the existing call) and read how calls ended.
 */
export type OracleCallState =
  | 'queued'
  | 'pending'
  | 'retrying'
  | 'success'
  | 'failed'
  | 'superseded'
  | 'abandoned';

export interface OracleCallRequest {
  /** Idempotency key: enqueueing it again returns the first call and sends nothing. */
  readonly requestId: string;
  readonly contractAddress: string;
  /** The address the call is about (the creator): the key of the engine's admin alerts. */
  readonly targetAddress: string;
  /** Human-readable signature, e.g. `updateCreatorMetrics(address,uint256,uint256,uint256,uint256)`. */
  readonly functionSignature: string;
  readonly args: readonly unknown[];
  /** Calls sharing it: once a newer one succeeded, an older one still retrying is dropped. */
  readonly supersedeKey?: string;
}

export interface EnqueuedCall {
  readonly requestId: string;
  readonly status: OracleCallState;
  /** True when the request id was already known: nothing new was enqueued. */
  readonly duplicate: boolean;
}

export interface OracleCallOutcome {
  readonly requestId: string;
  readonly status: OracleCallState;
  readonly transactionHash: string | null;
  readonly blockNumber: number | null;
  readonly gasUsed: number | null;
  readonly attemptCount: number;
  readonly errorCode: string | null;
  readonly errorMessage: string | null;
  readonly createdAt: Date;
  readonly completedAt: Date | null;
}

export interface OracleCallGateway {
  enqueue(calls: readonly OracleCallRequest[]): Promise<EnqueuedCall[]>;
  /** The calls known under these request ids; unknown ids are absent. */
  outcomes(requestIds: readonly string[]): Promise<Map<string, OracleCallOutcome>>;
}
