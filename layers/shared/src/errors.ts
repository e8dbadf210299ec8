/**
 * The typed error hierarchy. Every error the platform raises on purpose carries a stable
 * `code` (for clients and alarms) and the HTTP status an API answers with. Messages say
 * what is wrong in words an operator or an API user can act on; they never carry secrets.
 */
export abstract class OracleError extends Error {
  abstract readonly code: string;
  abstract readonly httpStatus: number;
  readonly details: Record<string, unknown> | undefined;

  constructor(message: string, options?: { cause?: unknown; details?: Record<string, unknown> }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.details = options?.details;
  }

  toJSON(): { error: { code: string; message: string; details?: Record<string, unknown> } } {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.details === undefined ? {} : { details: this.details }),
      },
    };
  }
}

/** Input that does not have the expected shape; nothing of it was written. */
export class ValidationError extends OracleError {
  readonly code: string = 'VALIDATION_FAILED';
  readonly httpStatus: number = 400;
}

export class UnauthorizedError extends OracleError {
  readonly code = 'UNAUTHORIZED';
  readonly httpStatus = 401;
}

export class ForbiddenError extends OracleError {
  readonly code = 'FORBIDDEN';
  readonly httpStatus = 403;
}

export class NotFoundError extends OracleError {
  readonly code: string = 'NOT_FOUND';
  readonly httpStatus: number = 404;
}

/** The request conflicts with what is stored (a different payload under the same id, say). */
export class ConflictError extends OracleError {
  readonly code: string = 'CONFLICT';
  readonly httpStatus: number = 409;
}

export class PayloadTooLargeError extends OracleError {
  readonly code = 'PAYLOAD_TOO_LARGE';
  readonly httpStatus = 413;
}

export class RateLimitedError extends OracleError {
  readonly code = 'RATE_LIMITED';
  readonly httpStatus = 429;
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message, { details: { retryAfterSeconds } });
  }
}

/** Configuration missing or malformed; raised at start, never during a request. */
export class ConfigError extends OracleError {
  readonly code = 'CONFIG_INVALID';
  readonly httpStatus = 500;
}

/** A dependency (database, chain RPC, queue, Twitch) failed or answered nonsense. */
export class DependencyError extends OracleError {
  readonly code: string = 'DEPENDENCY_FAILED';
  readonly httpStatus: number = 503;
}

export type ChainErrorKind = 'network' | 'gas' | 'nonce' | 'execution' | 'blockhash' | 'unknown';

/** A chain call failed; `kind` decides whether it is retried. */
export class ChainError extends DependencyError {
  override readonly code: string = 'CHAIN_ERROR';
  constructor(
    message: string,
    readonly kind: ChainErrorKind,
    options?: { cause?: unknown; details?: Record<string, unknown> },
  ) {
    super(message, options);
  }
  get retryable(): boolean {
    return this.kind !== 'execution';
  }
}

export class CircuitOpenError extends DependencyError {
  override readonly code = 'CIRCUIT_OPEN';
}

/**
 * An amount, or a sum of amounts, past what a leaf (u64) and the bigint columns that store amounts
 * hold; refused rather than clamped or wrapped, so it cannot overflow later.
 */
export class AmountOverflowError extends OracleError {
  readonly code = 'AMOUNT_OVERFLOW';
  readonly httpStatus = 422;
}

export class InvalidProofError extends OracleError {
  readonly code = 'INVALID_PROOF';
  readonly httpStatus = 400;
}

export class InternalError extends OracleError {
  readonly code = 'INTERNAL';
  readonly httpStatus = 500;
}

export function isOracleError(error: unknown): error is OracleError {
  return error instanceof OracleError;
}
