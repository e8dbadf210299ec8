/**
 * What LiteSVM reports about a transaction, in the shapes a Solana node answers them: the
 * errors (`"BlockhashNotFound"`, `{ "InstructionError": [0, { "Custom": 1 }] }`, ...), logs,
 * fee, compute units and inner instructions, as one ExecutionOutcome (the stand-in of the
 * attention program reports its transactions the same way).
 */
import type { VersionedMessage } from '@solana/web3.js';
import bs58 from 'bs58';
import { FailedTransactionMetadata, type SimulatedTransactionInfo, type TransactionMetadata } from 'litesvm';
import type { ExecutionOutcome } from './attention-program/stand-in.ts';
import { chargedFee, expectedFee } from './solana-fees.ts';

export function liteSvmOutcome(
  outcome: TransactionMetadata | FailedTransactionMetadata | SimulatedTransactionInfo,
  message: VersionedMessage,
): ExecutionOutcome {
  const failed = outcome instanceof FailedTransactionMetadata ? outcome : undefined;
  const simulated = failed === undefined && 'meta' in outcome ? outcome : undefined;
  const meta: TransactionMetadata = failed?.meta() ?? simulated?.meta() ?? (outcome as TransactionMetadata);
  return {
    landed: failed === undefined || landsWhenFailed(failed),
    err: failed === undefined ? null : transactionErrorJson(failed.err()),
    logs: meta.logs(),
    fee:
      simulated === undefined
        ? chargedFee(outcome as TransactionMetadata | FailedTransactionMetadata, message)
        : expectedFee(message),
    computeUnitsConsumed: Number(meta.computeUnitsConsumed()),
    innerInstructions: meta
      .innerInstructions()
      .map((inner, index) => ({
        index,
        instructions: inner.map((ix) => {
          const compiled = ix.instruction();
          return {
            programIdIndex: compiled.programIdIndex(),
            accounts: Array.from(compiled.accounts()),
            data: bs58.encode(compiled.data()),
            stackHeight: ix.stackHeight(),
          };
        }),
      }))
      .filter((inner) => inner.instructions.length > 0),
  };
}

/** Names of LiteSVM's fieldless error enums (litesvm/dist/internal.d.ts), by value. */
const TRANSACTION_ERRORS = [
  'AccountInUse',
  'AccountLoadedTwice',
  'AccountNotFound',
  'ProgramAccountNotFound',
  'InsufficientFundsForFee',
  'InvalidAccountForFee',
  'AlreadyProcessed',
  'BlockhashNotFound',
  'CallChainTooDeep',
  'MissingSignatureForFee',
  'InvalidAccountIndex',
  'SignatureFailure',
  'InvalidProgramForExecution',
  'SanitizeFailure',
  'ClusterMaintenance',
  'AccountBorrowOutstanding',
  'WouldExceedMaxBlockCostLimit',
  'UnsupportedVersion',
  'InvalidWritableAccount',
  'WouldExceedMaxAccountCostLimit',
  'WouldExceedAccountDataBlockLimit',
  'TooManyAccountLocks',
  'AddressLookupTableNotFound',
  'InvalidAddressLookupTableOwner',
  'InvalidAddressLookupTableData',
  'InvalidAddressLookupTableIndex',
  'InvalidRentPayingAccount',
  'WouldExceedMaxVoteCostLimit',
  'WouldExceedAccountDataTotalLimit',
  'MaxLoadedAccountsDataSizeExceeded',
  'ResanitizationNeeded',
  'InvalidLoadedAccountsDataSizeLimit',
  'UnbalancedTransaction',
  'ProgramCacheHitMaxLimit',
  'CommitCancelled',
];
const INSTRUCTION_ERRORS = [
  'GenericError',
  'InvalidArgument',
  'InvalidInstructionData',
  'InvalidAccountData',
  'AccountDataTooSmall',
  'InsufficientFunds',
  'IncorrectProgramId',
  'MissingRequiredSignature',
  'AccountAlreadyInitialized',
  'UninitializedAccount',
  'UnbalancedInstruction',
  'ModifiedProgramId',
  'ExternalAccountLamportSpend',
  'ExternalAccountDataModified',
  'ReadonlyLamportChange',
  'ReadonlyDataModified',
  'DuplicateAccountIndex',
  'ExecutableModified',
  'RentEpochModified',
  'NotEnoughAccountKeys',
  'AccountDataSizeChanged',
  'AccountNotExecutable',
  'AccountBorrowFailed',
  'AccountBorrowOutstanding',
  'DuplicateAccountOutOfSync',
  'InvalidError',
  'ExecutableDataModified',
  'ExecutableLamportChange',
  'ExecutableAccountNotRentExempt',
  'UnsupportedProgramId',
  'CallDepth',
  'MissingAccount',
  'ReentrancyNotAllowed',
  'MaxSeedLengthExceeded',
  'InvalidSeeds',
  'InvalidRealloc',
  'ComputationalBudgetExceeded',
  'PrivilegeEscalation',
  'ProgramEnvironmentSetupFailure',
  'ProgramFailedToComplete',
  'ProgramFailedToCompile',
  'Immutable',
  'IncorrectAuthority',
  'AccountNotRentExempt',
  'InvalidAccountOwner',
  'ArithmeticOverflow',
  'UnsupportedSysvar',
  'IllegalOwner',
  'MaxAccountsDataAllocationsExceeded',
  'MaxAccountsExceeded',
  'MaxInstructionTraceLengthExceeded',
  'BuiltinProgramsMustConsumeComputeUnits',
  'BorshIoError',
];

/** Failures during execution land (the fee is charged, the error recorded); the others are dropped. */
export function landsWhenFailed(outcome: FailedTransactionMetadata): boolean {
  return typeof outcome.err() !== 'number';
}

export function transactionErrorJson(err: ReturnType<FailedTransactionMetadata['err']>): unknown {
  if (typeof err === 'number') return TRANSACTION_ERRORS[err] ?? `TransactionError(${err})`;
  const name = err.constructor.name;
  if (name === 'TransactionErrorInstructionError') {
    const ix = err as { index: number; err(): unknown };
    return { InstructionError: [ix.index, instructionErrorJson(ix.err())] };
  }
  if (name === 'TransactionErrorDuplicateInstruction')
    return { DuplicateInstruction: (err as { index: number }).index };
  if (name === 'TransactionErrorInsufficientFundsForRent') {
    return { InsufficientFundsForRent: { account_index: (err as { accountIndex: number }).accountIndex } };
  }
  if (name === 'TransactionErrorProgramExecutionTemporarilyRestricted') {
    return {
      ProgramExecutionTemporarilyRestricted: {
        account_index: (err as { accountIndex: number }).accountIndex,
      },
    };
  }
  return err.toString();
}

function instructionErrorJson(err: unknown): unknown {
  if (typeof err === 'number') return INSTRUCTION_ERRORS[err] ?? `InstructionError(${err})`;
  if (err !== null && typeof err === 'object' && 'code' in err)
    return { Custom: (err as { code: number }).code };
  if (err !== null && typeof err === 'object' && 'msg' in err)
    return { BorshIoError: (err as { msg: string }).msg };
  return String(err);
}
