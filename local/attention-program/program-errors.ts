/**
 * How the stand-in fails an instruction, in the shapes the deployed program and the runtime
 * produce: the attention program's own errors (Anchor `#[error_code]`, numbered from 6000 in
 * the order of `ProtocolError` in programs/token-2022/src/errors.rs at the pinned commit),
 * the Anchor framework errors its account constraints raise, and the errors of the programs it
 * invokes (System, Token-2022). Each becomes `InstructionError: [index, <error>]` in the
 * transaction's meta, with the log lines a real validator would print.
 */

/** `ProtocolError` variants in declaration order: code = 6000 + position. */
const PROTOCOL_ERRORS = [
  ['Unauthorized', 'Unauthorized'],
  ['AlreadyInitialized', 'Already initialized'],
  ['InvalidFeeBps', 'Fee basis points too high (max 1000 = 10%)'],
  ['InvalidFeeSplit', 'Invalid fee split - must sum to 100'],
  ['FeeTooHigh', 'Fee too high - maximum 10%'],
  ['ProtocolPaused', 'Protocol is paused'],
  ['AlreadyClaimed', 'Already claimed'],
  ['InvalidProof', 'Invalid merkle proof'],
  ['EpochClosed', 'Epoch closed'],
  ['InvalidIndex', 'Invalid index'],
  ['InvalidAmount', 'Invalid amount'],
  ['InvalidInputLength', 'Invalid input length'],
  ['InvalidProofLength', 'Invalid proof length'],
  ['InvalidMint', 'Invalid mint'],
  ['ReceiptRequired', 'Receipt required for this claim'],
  ['InvalidChannelState', 'Invalid channel state PDA'],
  ['InvalidEpochState', 'Invalid epoch state PDA'],
  ['SlotMismatch', 'Requested epoch slot is not available'],
  ['InvalidStreamer', 'Invalid streamer key'],
  ['InvalidEpoch', 'Invalid epoch'],
  ['ChannelNotInitialized', 'Channel not initialized'],
  ['EpochAlreadyInitialized', 'Epoch already initialized'],
  ['EpochNotFullyClaimed', 'Epoch not fully claimed'],
  ['EpochNotIncreasing', 'Epoch must be strictly increasing for this slot'],
] as const;

export type ProtocolErrorName = (typeof PROTOCOL_ERRORS)[number][0];

/** The Anchor framework errors the two instructions' account constraints can raise. */
const ANCHOR_ERRORS = {
  InstructionMissing: [100, '8 byte instruction identifier not provided'],
  InstructionFallbackNotFound: [101, 'Fallback functions are not supported'],
  InstructionDidNotDeserialize: [102, 'The program could not deserialize the given instruction'],
  ConstraintMut: [2000, 'A mut constraint was violated'],
  ConstraintSeeds: [2006, 'A seeds constraint was violated'],
  ConstraintTokenMint: [2014, 'A token mint constraint was violated'],
  ConstraintTokenOwner: [2015, 'A token owner constraint was violated'],
  AccountDiscriminatorMismatch: [3002, '8 byte discriminator did not match what was expected'],
  AccountNotEnoughKeys: [3005, 'Not enough account keys given to the instruction'],
  AccountOwnedByWrongProgram: [3007, 'The given account is owned by a different program than expected'],
  InvalidProgramId: [3008, 'Program ID was not as expected'],
  AccountNotSigner: [3010, 'The given account did not sign'],
  AccountNotInitialized: [3012, 'The program expected this account to be already initialized'],
  AccountNotAssociatedTokenAccount: [3014, 'The given account is not the associated token account'],
} as const;

export type AnchorErrorName = keyof typeof ANCHOR_ERRORS;

/** An instruction failed: the error for the transaction's meta and the lines logged before failing. */
export class InstructionFailure extends Error {
  constructor(
    /** The inner error in RPC JSON form: `{ Custom: n }` or a builtin name. */
    readonly error: unknown,
    readonly logs: readonly string[],
    /** The program whose invocation failed (the attention program, or one it invoked). */
    readonly failedProgram?: string,
  ) {
    super(typeof error === 'string' ? error : JSON.stringify(error));
  }
}

export function protocolErrorCode(name: ProtocolErrorName): number {
  return 6000 + PROTOCOL_ERRORS.findIndex(([variant]) => variant === name);
}

/** A `require!` in the handler failing, or a constraint naming a program error. */
export function programError(name: ProtocolErrorName, account?: string): InstructionFailure {
  const code = protocolErrorCode(name);
  const message = PROTOCOL_ERRORS.find(([variant]) => variant === name)?.[1] ?? name;
  return new InstructionFailure({ Custom: code }, [anchorLog(name, code, message, account)]);
}

/** An account constraint or instruction dispatch failing inside Anchor. */
export function anchorError(name: AnchorErrorName, account?: string): InstructionFailure {
  const [code, message] = ANCHOR_ERRORS[name];
  return new InstructionFailure({ Custom: code }, [anchorLog(name, code, message, account)]);
}

/** A program invoked by the attention program failing (System, Token-2022, associated token). */
export function invokedProgramError(
  programId: string,
  error: unknown,
  logs: readonly string[],
): InstructionFailure {
  return new InstructionFailure(error, logs, programId);
}

/** The System program's errors, by variant (SystemError). */
export const SYSTEM_ERROR = { AccountAlreadyInUse: 0, ResultWithNegativeLamports: 1 } as const;
/** Token-2022's errors, by variant (TokenError). */
export const TOKEN_ERROR = {
  InsufficientFunds: 1,
  MintMismatch: 3,
  OwnerMismatch: 4,
  AccountFrozen: 17,
} as const;

function anchorLog(name: string, code: number, message: string, account: string | undefined): string {
  const where =
    account === undefined ? 'AnchorError occurred.' : `AnchorError caused by account: ${account}.`;
  return `Program log: ${where} Error Code: ${name}. Error Number: ${code}. Error Message: ${message}.`;
}

/** How the runtime words a failed invocation at the end of its logs. */
export function failureLogLine(programId: string, error: unknown): string {
  if (error !== null && typeof error === 'object' && 'Custom' in error) {
    return `Program ${programId} failed: custom program error: 0x${(error as { Custom: number }).Custom.toString(16)}`;
  }
  const words: Record<string, string> = {
    ProgramFailedToComplete: 'Program failed to complete',
    ComputationalBudgetExceeded: 'Computational budget exceeded',
    InvalidSeeds: 'Provided seeds do not result in a valid address',
  };
  return `Program ${programId} failed: ${words[String(error)] ?? String(error)}`;
}
