/**
 * The attention program's stand-in: without the compiled program (ATTENTION_PROGRAM_SO), the
 * local RPC executes `set_channel_merkle_root` and `claim_channel_open` sent to the program id
 * itself, so program mode, claims and the publisher's return rules run end to end on one
 * machine. This emulates the program; it is not the program. Its rules come from the program's
 * public source, twzrd-sol/attention-oracle-program at commit
 * 670c0b731933f0fc376063cbd99d328806ed142d (`programs/token-2022/src/instructions/channel.rs`
 * and `errors.rs`; `state.rs`, `constants.rs` and `instructions/claim.rs` of the same program),
 * read, not copied: the account constraints and PDAs (`protocol` per mint, `channel_state` per
 * mint and streamer key, created with its rent on first use), the admin or allowlisted
 * publisher, the ring slot (epoch mod 10) and its strictly increasing epochs, the claimed
 * bitmap, the claim-v1 leaf and sorted-pair proof, the claimer's Token-2022 associated account
 * created if needed, and the transfer from the treasury's associated account (owner
 * protocol_state). Where that source and DESIGN.md differ, DESIGN.md decides: the streamer key
 * is keccak256("twitch:" ‖ lowercased channel), as the deployed program derives it.
 *
 * A transaction that calls the program is executed here as the runtime would: signatures
 * verified, the fee charged whatever happens, instructions in order (ComputeBudget's read for
 * the limit; any other program's instruction executed by LiteSVM itself, with the same
 * accounts), all of it undone but the fee when one instruction fails. Its result, logs, fee,
 * inner instructions and compute units are what the RPC records, so getTransaction,
 * getSignatureStatuses and getSignaturesForAddress treat it like any other transaction.
 * Compute units are estimates, not measurements of the program.
 */
import { randomBytes } from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519';
import { address, getTransactionDecoder, lamports, type Transaction } from '@solana/kit';
import { Message, MessageV0, PublicKey, type VersionedMessage } from '@solana/web3.js';
import bs58 from 'bs58';
import { FailedTransactionMetadata, type LiteSVM, type TransactionMetadata } from 'litesvm';
import { COMPUTE_BUDGET_PROGRAM_ID } from '../../layers/shared/src/core/solana/program-ids.ts';
import { transactionErrorJson } from '../litesvm-outcomes.ts';
import { chargedFee, computeUnitLimit, expectedFee } from '../solana-fees.ts';
import {
  type AccountState,
  type ChainAccess,
  type InvokedInstruction,
  runAttentionInstruction,
} from './instructions.ts';
import { failureLogLine, InstructionFailure } from './program-errors.ts';

export interface InnerInstructionsJson {
  readonly index: number;
  readonly instructions: {
    programIdIndex: number;
    accounts: number[];
    data: string;
    stackHeight: number;
  }[];
}

/** A transaction's execution as the RPC records it. */
export interface ExecutionOutcome {
  /** false: refused before execution (signatures, fee payer); nothing lands, no fee. */
  readonly landed: boolean;
  /** The transaction error in RPC JSON form, null on success. */
  readonly err: unknown;
  readonly logs: readonly string[];
  readonly fee: bigint;
  readonly computeUnitsConsumed: number;
  readonly innerInstructions: readonly InnerInstructionsJson[];
}

export interface StandInTransaction {
  readonly transaction: Transaction;
  readonly message: VersionedMessage;
}

export interface AttentionStandIn {
  readonly programId: string;
  /** Whether the message calls the attention program (and so is executed here). */
  handles(message: VersionedMessage): boolean;
  /** Executes; without `commit` (a simulation) every account is left as it was, fee included. */
  execute(tx: StandInTransaction, options: { readonly commit: boolean }): ExecutionOutcome;
}

const COMPUTE_BUDGET_UNITS = 150;
/** What a refused instruction reports having used before it failed (an estimate). */
const FAILED_INSTRUCTION_UNITS = 5_000;
const LOOKUP_TABLE_META_SIZE = 56;

export function createAttentionStandIn(svm: LiteSVM, programId: string): AttentionStandIn {
  const chain = liteSvmChain(svm);

  function execute(tx: StandInTransaction, options: { readonly commit: boolean }): ExecutionOutcome {
    const { message } = tx;
    const refused = (err: unknown): ExecutionOutcome => ({
      landed: false,
      err,
      logs: [],
      fee: 0n,
      computeUnitsConsumed: 0,
      innerInstructions: [],
    });
    if (!signaturesVerify(tx)) return refused('SignatureFailure');
    const keys = resolveAccountKeys(message, chain);
    if (keys === undefined) return refused('AddressLookupTableNotFound');
    const fee = expectedFee(message);
    const payerKey = keys[0] as string;
    const payer = chain.get(payerKey);
    if (payer === undefined || payer.lamports < fee) return refused('InsufficientFundsForFee');

    const snapshot = new Map(keys.map((key) => [key, chain.get(key)] as const));
    chain.set(payerKey, { ...payer, lamports: payer.lamports - fee });
    const logs: string[] = [];
    const inner: InnerInstructionsJson[] = [];
    const limit = Number(computeUnitLimit(message));
    let consumed = 0;
    let err: unknown = null;

    for (const [index, ix] of message.compiledInstructions.entries()) {
      const program = keys[ix.programIdIndex] ?? '';
      if (program === COMPUTE_BUDGET_PROGRAM_ID) {
        logs.push(`Program ${program} invoke [1]`, `Program ${program} success`);
        consumed += COMPUTE_BUDGET_UNITS;
        continue;
      }
      if (program !== programId) {
        const run = runWithLiteSvm(svm, tx, index);
        logs.push(...run.logs);
        consumed += run.units;
        if (run.inner.length > 0) inner.push({ index, instructions: run.inner });
        if (run.err !== null) {
          err = run.err;
          break;
        }
        continue;
      }
      const invoked: InvokedInstruction[] = [];
      const programLogs: string[] = [];
      let failure: InstructionFailure | undefined;
      let units = 0;
      try {
        units = runAttentionInstruction({
          programId,
          accounts: ix.accountKeyIndexes.map((i) => ({
            address: keys[i] ?? '',
            isSigner: message.isAccountSigner(i),
            isWritable: message.isAccountWritable(i),
          })),
          data: ix.data,
          chain,
          logs: programLogs,
          invoked,
        });
      } catch (error) {
        if (!(error instanceof InstructionFailure)) throw error;
        failure = error;
      }
      if (failure === undefined && consumed + units > limit) {
        failure = new InstructionFailure('ComputationalBudgetExceeded', []);
      }
      logs.push(`Program ${program} invoke [1]`, ...programLogs);
      const available = limit - consumed;
      if (failure !== undefined) {
        logs.push(...failure.logs);
        if (failure.failedProgram !== undefined)
          logs.push(failureLogLine(failure.failedProgram, failure.error));
        const spent = Math.min(available, units > 0 ? units : FAILED_INSTRUCTION_UNITS);
        logs.push(`Program ${program} consumed ${spent} of ${available} compute units`);
        logs.push(failureLogLine(program, failure.error));
        consumed += spent;
        err = { InstructionError: [index, failure.error] };
        break;
      }
      logs.push(
        `Program ${program} consumed ${units} of ${available} compute units`,
        `Program ${program} success`,
      );
      consumed += units;
      if (invoked.length > 0) inner.push({ index, instructions: innerJson(invoked, keys) });
    }

    if (err !== null || !options.commit) {
      for (const [key, account] of snapshot) restore(svm, chain, key, account);
      if (options.commit) {
        const charged = chain.get(payerKey) as AccountState;
        chain.set(payerKey, { ...charged, lamports: charged.lamports - fee });
      }
    }
    return { landed: true, err, logs, fee, computeUnitsConsumed: consumed, innerInstructions: inner };
  }

  return {
    programId,
    handles: (message) =>
      message.compiledInstructions.some(
        (ix) => message.staticAccountKeys[ix.programIdIndex]?.toBase58() === programId,
      ),
    execute,
  };
}

function signaturesVerify(tx: StandInTransaction): boolean {
  const { message, transaction } = tx;
  const signed = transaction.signatures as Record<string, Uint8Array | null>;
  for (let i = 0; i < message.header.numRequiredSignatures; i++) {
    const key = message.staticAccountKeys[i];
    const signature = key === undefined ? null : signed[key.toBase58()];
    if (key === undefined || signature == null) return false;
    if (!ed25519.verify(signature, new Uint8Array(transaction.messageBytes), key.toBytes())) return false;
  }
  return true;
}

/** Static keys, then the writable and readonly keys loaded from lookup tables, as the runtime orders them. */
export function resolveAccountKeys(
  message: VersionedMessage,
  chain: Pick<ChainAccess, 'get'>,
): string[] | undefined {
  const keys = message.staticAccountKeys.map((key) => key.toBase58());
  const writable: string[] = [];
  const readonly: string[] = [];
  for (const lookup of message.addressTableLookups) {
    const table = chain.get(lookup.accountKey.toBase58());
    if (table === undefined) return undefined;
    const entry = (i: number) => {
      const at = LOOKUP_TABLE_META_SIZE + i * 32;
      return new PublicKey(table.data.subarray(at, at + 32)).toBase58();
    };
    writable.push(...lookup.writableIndexes.map(entry));
    readonly.push(...lookup.readonlyIndexes.map(entry));
  }
  return [...keys, ...writable, ...readonly];
}

function innerJson(invoked: readonly InvokedInstruction[], keys: readonly string[]) {
  return invoked.map((ix) => ({
    programIdIndex: keys.indexOf(ix.programId),
    accounts: ix.accounts.map((key) => keys.indexOf(key)),
    data: bs58.encode(ix.data),
    stackHeight: 2,
  }));
}

function restore(svm: LiteSVM, chain: ChainAccess, key: string, account: AccountState | undefined): void {
  if (account !== undefined) {
    chain.set(key, account);
    return;
  }
  if (chain.get(key) === undefined) return;
  // The account did not exist before: an empty, lamport-less account is how the runtime drops one.
  svm.setAccount({
    address: address(key),
    data: new Uint8Array(),
    programAddress: address('11111111111111111111111111111111'),
    executable: false,
    lamports: lamports(0n),
    space: 0n,
  });
}

/**
 * One instruction of another program, run by LiteSVM in a transaction of the same message
 * with only that instruction. Its signatures were verified for the whole message already, so
 * LiteSVM does not check them here; the fee it charges is given back (the whole transaction's
 * fee was charged once).
 */
function runWithLiteSvm(
  svm: LiteSVM,
  tx: StandInTransaction,
  index: number,
): {
  err: unknown;
  logs: string[];
  units: number;
  inner: InnerInstructionsJson['instructions'];
} {
  const { message } = tx;
  const only = message.compiledInstructions[index];
  const single =
    message.version === 'legacy'
      ? new Message({
          header: message.header,
          accountKeys: message.staticAccountKeys,
          recentBlockhash: message.recentBlockhash,
          instructions:
            only === undefined
              ? []
              : [
                  {
                    programIdIndex: only.programIdIndex,
                    accounts: only.accountKeyIndexes,
                    data: bs58.encode(only.data),
                  },
                ],
        })
      : new MessageV0({
          header: message.header,
          staticAccountKeys: message.staticAccountKeys,
          recentBlockhash: message.recentBlockhash,
          compiledInstructions: only === undefined ? [] : [only],
          addressTableLookups: (message as MessageV0).addressTableLookups,
        });
  const signatures = message.header.numRequiredSignatures;
  const wire = Buffer.concat([
    Buffer.from([signatures]),
    randomBytes(64 * signatures),
    Buffer.from(single.serialize()),
  ]);
  const payer = message.staticAccountKeys[0]?.toBase58() as string;
  svm.withSigverify(false);
  let outcome: ReturnType<LiteSVM['sendTransaction']>;
  try {
    outcome = svm.sendTransaction(getTransactionDecoder().decode(wire));
  } finally {
    svm.withSigverify(true);
  }
  const failed = outcome instanceof FailedTransactionMetadata ? outcome : undefined;
  // On failure the executor restores every account, the payer's included.
  const account = svm.getAccount(address(payer));
  if (failed === undefined && account.exists) {
    svm.setAccount({
      ...account,
      lamports: lamports(account.lamports + chargedFee(outcome, single as VersionedMessage)),
    });
  }
  const meta = failed === undefined ? (outcome as TransactionMetadata) : failed.meta();
  const err = failed === undefined ? null : transactionErrorJson(failed.err());
  return {
    err: remapInstructionIndex(err, index),
    logs: meta.logs(),
    units: Number(meta.computeUnitsConsumed()),
    inner: meta.innerInstructions().flatMap((list) =>
      list.map((ix) => {
        const compiled = ix.instruction();
        return {
          programIdIndex: compiled.programIdIndex(),
          accounts: Array.from(compiled.accounts()),
          data: bs58.encode(compiled.data()),
          stackHeight: ix.stackHeight(),
        };
      }),
    ),
  };
}

function remapInstructionIndex(err: unknown, index: number): unknown {
  if (err !== null && typeof err === 'object' && 'InstructionError' in err) {
    const [, inner] = (err as { InstructionError: [number, unknown] }).InstructionError;
    return { InstructionError: [index, inner] };
  }
  return err;
}

/** Accounts read from and written into LiteSVM directly (what the stand-in's instructions change). */
export function liteSvmChain(svm: LiteSVM): ChainAccess {
  return {
    get(key) {
      const account = svm.getAccount(address(key));
      if (!account.exists || account.lamports === 0n) return undefined;
      return {
        lamports: account.lamports,
        owner: account.programAddress,
        data: account.data,
        executable: account.executable,
      };
    },
    set(key, account) {
      svm.setAccount({
        address: address(key),
        data: account.data,
        programAddress: address(account.owner),
        executable: account.executable,
        lamports: lamports(account.lamports),
        space: BigInt(account.data.length),
      });
    },
    rentExemptMinimum: (size) => svm.minimumBalanceForRentExemption(BigInt(size)),
  };
}
