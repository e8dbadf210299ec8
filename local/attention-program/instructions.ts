/**
 * The attention program's two instructions as the stand-in executes them: the account
 * constraints Anchor checks first (in the order of the `Accounts` structs), then the handler's
 * own checks and state changes, as programs/token-2022/src/instructions/channel.rs does at the
 * pinned commit (see stand-in.ts). Instruction data, accounts and hashes are read with
 * program-data.ts, not with the project's encoders, so a mismatch between the two shows up as a
 * refused transaction.
 */
import { PublicKey } from '@solana/web3.js';
import {
  ASSOCIATED_TOKEN_PROGRAM_ID,
  SYSTEM_PROGRAM_ID,
} from '../../layers/shared/src/core/solana/program-ids.ts';
import {
  associatedTokenAccountData,
  associatedTokenAddress,
  isTokenProgram,
  readMint,
  readTokenAccount,
  transferCheckedData,
  withTokenAmount,
} from '../token-2022.ts';
import {
  CHANNEL_STATE_ACCOUNT_DISCRIMINATOR,
  CHANNEL_STATE_SPACE,
  CHANNEL_STATE_VERSION,
  CLAIM_CHANNEL_OPEN,
  channelStatePda,
  channelStateView,
  claimLeaf,
  MAX_CLAIMS,
  parseArgs,
  RING_SLOTS,
  SET_CHANNEL_MERKLE_ROOT,
  streamerKey,
  verifySortedPairProof,
} from './program-data.ts';
import {
  anchorError,
  InstructionFailure,
  invokedProgramError,
  programError,
  SYSTEM_ERROR,
  TOKEN_ERROR,
} from './program-errors.ts';
import {
  DEFAULT_PUBKEY,
  decodeProtocolState,
  type ProtocolState,
  protocolStateAddress,
} from './protocol-state.ts';

export interface AccountState {
  readonly lamports: bigint;
  readonly owner: string;
  readonly data: Uint8Array;
  readonly executable: boolean;
}

/** What an instruction reads and writes; the executor snapshots and restores it around a transaction. */
export interface ChainAccess {
  /** undefined: no account at that address (no lamports). */
  get(address: string): AccountState | undefined;
  set(address: string, account: AccountState): void;
  rentExemptMinimum(size: number): bigint;
}

export interface InstructionAccount {
  readonly address: string;
  readonly isSigner: boolean;
  readonly isWritable: boolean;
}

export interface InvokedInstruction {
  readonly programId: string;
  readonly accounts: readonly string[];
  readonly data: Uint8Array;
}

export interface InstructionRun {
  readonly programId: string;
  readonly accounts: readonly InstructionAccount[];
  readonly data: Uint8Array;
  readonly chain: ChainAccess;
  /** Log lines between the invoke and the success line. */
  readonly logs: string[];
  /** Cross-program invocations, for the transaction's inner instructions. */
  readonly invoked: InvokedInstruction[];
}

/** Compute units an instruction reports: estimates of the program's cost, not measurements. */
export type ComputeUnits = number;

/** Dispatches on the Anchor discriminator, as the program's entrypoint does. */
export function runAttentionInstruction(run: InstructionRun): ComputeUnits {
  if (run.data.length < 8) throw anchorError('InstructionMissing');
  const discriminator = Buffer.from(run.data.subarray(0, 8));
  if (discriminator.equals(SET_CHANNEL_MERKLE_ROOT)) return setChannelMerkleRoot(run);
  if (discriminator.equals(CLAIM_CHANNEL_OPEN)) return claimChannelOpen(run);
  throw anchorError('InstructionFallbackNotFound');
}

function setChannelMerkleRoot(run: InstructionRun): ComputeUnits {
  run.logs.push('Program log: Instruction: SetChannelMerkleRoot');
  const args = parseArgs(run.data, (r) => ({ channel: r.string(), epoch: r.u64(), root: r.bytes(32) }));
  const [payer, protocolAccount, channelAccount, systemProgram] = requireAccounts(run, 4);
  requireSigner(payer, 'payer');
  requireMut(payer, 'payer');
  const protocol = loadProtocolState(run, protocolAccount, 'protocol_state');
  requireMut(channelAccount, 'channel_state');
  requireProgram(systemProgram, SYSTEM_PROGRAM_ID, 'system_program');

  const isAdmin = payer.address === protocol.admin;
  const isPublisher = protocol.publisher !== DEFAULT_PUBKEY && payer.address === protocol.publisher;
  if (!isAdmin && !isPublisher) throw programError('Unauthorized');
  const streamer = streamerKey(args.channel);
  const expected = channelStatePda(run.programId, protocol.mint, streamer);
  if (expected.address !== channelAccount.address) throw programError('InvalidChannelState');

  let units = 9_000;
  const existing = run.chain.get(channelAccount.address);
  if (existing?.owner !== run.programId) {
    run.logs.push('Program log: Creating channel state account');
    createAccount(run, payer.address, channelAccount.address, CHANNEL_STATE_SPACE, run.programId);
    const created = run.chain.get(channelAccount.address) as AccountState;
    const data = Buffer.from(created.data);
    CHANNEL_STATE_ACCOUNT_DISCRIMINATOR.copy(data, 0);
    run.chain.set(channelAccount.address, { ...created, data: new Uint8Array(data) });
    run.logs.push('Program log: Account created and initialized');
    units += 4_500;
  }
  const account = run.chain.get(channelAccount.address) as AccountState;
  const state = channelStateView(account.data);
  if (state.version() === 0) state.initialize(expected.bump, protocol.mint, streamer);
  if (state.version() !== CHANNEL_STATE_VERSION) throw programError('InvalidChannelState');
  if (state.mint() !== protocol.mint) throw programError('InvalidMint');
  if (!state.streamer().equals(streamer)) throw programError('InvalidChannelState');

  const slot = Number(args.epoch % RING_SLOTS);
  run.logs.push(`Program log: writing slot ${slot}`);
  const existingEpoch = state.slotEpoch(slot);
  if (!(existingEpoch === 0n || args.epoch > existingEpoch)) throw programError('EpochNotIncreasing');
  state.resetSlot(slot, args.epoch, args.root);
  run.chain.set(channelAccount.address, { ...account, data: state.bytes() });
  return units;
}

function claimChannelOpen(run: InstructionRun): ComputeUnits {
  run.logs.push('Program log: Instruction: ClaimChannelOpen');
  const args = parseArgs(run.data, (r) => ({
    channel: r.string(),
    epoch: r.u64(),
    index: r.u32(),
    amount: r.u64(),
    id: r.string(),
    proof: r.vecOf32(),
  }));
  const [
    claimer,
    protocolAccount,
    channelAccount,
    mintAccount,
    treasuryAccount,
    claimerAtaAccount,
    tokenProgram,
    ataProgram,
    systemProgram,
  ] = requireAccounts(run, 9);
  requireSigner(claimer, 'claimer');
  requireMut(claimer, 'claimer');
  const protocol = loadProtocolState(run, protocolAccount, 'protocol_state');
  requireMut(channelAccount, 'channel_state');
  const mintState = run.chain.get(mintAccount.address);
  if (mintState === undefined) throw anchorError('AccountNotInitialized', 'mint');
  if (!isTokenProgram(mintState.owner)) throw anchorError('AccountOwnedByWrongProgram', 'mint');
  const mint = readMint(mintState.data);
  if (mint === undefined || !mint.initialized) throw anchorError('AccountDiscriminatorMismatch', 'mint');
  requireMut(treasuryAccount, 'treasury_ata');
  requireTokenProgram(tokenProgram);
  const treasury = existingTokenAccount(run, treasuryAccount.address, 'treasury_ata');
  checkAssociated(
    treasury,
    treasuryAccount.address,
    mintAccount.address,
    protocolAccount.address,
    tokenProgram.address,
    'treasury_ata',
  );
  requireMut(claimerAtaAccount, 'claimer_ata');
  requireProgram(ataProgram, ASSOCIATED_TOKEN_PROGRAM_ID, 'associated_token_program');
  requireProgram(systemProgram, SYSTEM_PROGRAM_ID, 'system_program');

  let units = 28_000 + 1_600 * args.proof.length;
  if (run.chain.get(claimerAtaAccount.address) === undefined) {
    const expectedAta = associatedTokenAddress(claimer.address, mintAccount.address, tokenProgram.address);
    run.logs.push(`Program ${ASSOCIATED_TOKEN_PROGRAM_ID} invoke [2]`, 'Program log: Create');
    if (expectedAta !== claimerAtaAccount.address) {
      throw invokedProgramError(ASSOCIATED_TOKEN_PROGRAM_ID, 'InvalidSeeds', [
        'Program log: Error: Associated address does not match seed derivation',
      ]);
    }
    createAccount(run, claimer.address, claimerAtaAccount.address, 170, tokenProgram.address, 3);
    const created = run.chain.get(claimerAtaAccount.address) as AccountState;
    run.chain.set(claimerAtaAccount.address, {
      ...created,
      data: associatedTokenAccountData(mintAccount.address, claimer.address),
    });
    run.invoked.push({
      programId: ASSOCIATED_TOKEN_PROGRAM_ID,
      accounts: [
        claimer.address,
        claimerAtaAccount.address,
        claimer.address,
        mintAccount.address,
        SYSTEM_PROGRAM_ID,
        tokenProgram.address,
      ],
      data: new Uint8Array(),
    });
    run.logs.push(`Program ${ASSOCIATED_TOKEN_PROGRAM_ID} success`);
    units += 18_000;
  }
  const claimerAta = existingTokenAccount(run, claimerAtaAccount.address, 'claimer_ata');
  checkAssociated(
    claimerAta,
    claimerAtaAccount.address,
    mintAccount.address,
    claimer.address,
    tokenProgram.address,
    'claimer_ata',
  );

  const streamer = streamerKey(args.channel);
  if (channelStatePda(run.programId, protocol.mint, streamer).address !== channelAccount.address)
    throw programError('InvalidChannelState');
  const account = run.chain.get(channelAccount.address);
  if (account === undefined || account.data.length < 8) {
    // The program splits the first 8 bytes off the account data without a length check.
    throw new InstructionFailure('ProgramFailedToComplete', [
      "Program log: panicked at 'mid > len', programs/token-2022/src/instructions/channel.rs",
    ]);
  }
  if (account.owner !== run.programId) throw programError('InvalidChannelState');
  const state = channelStateView(account.data);
  if (state.version() !== CHANNEL_STATE_VERSION) throw programError('InvalidChannelState');
  if (state.mint() !== protocol.mint) throw programError('InvalidMint');
  if (!state.streamer().equals(streamer)) throw programError('InvalidChannelState');
  if (args.index >= MAX_CLAIMS) throw programError('InvalidIndex');
  const slot = Number(args.epoch % RING_SLOTS);
  if (state.slotEpoch(slot) !== args.epoch) throw programError('SlotMismatch');
  if (state.isClaimed(slot, args.index)) throw programError('AlreadyClaimed');
  const leaf = claimLeaf(new PublicKey(claimer.address).toBytes(), args.index, args.amount, args.id);
  if (!verifySortedPairProof(args.proof, leaf, state.slotRoot(slot))) throw programError('InvalidProof');
  state.markClaimed(slot, args.index);
  run.chain.set(channelAccount.address, { ...account, data: state.bytes() });

  transferChecked(run, {
    tokenProgram: tokenProgram.address,
    source: treasuryAccount.address,
    destination: claimerAtaAccount.address,
    mint: mintAccount.address,
    authority: protocolAccount.address,
    amount: args.amount,
    decimals: mint.decimals,
  });
  return units + 6_200;
}

function transferChecked(
  run: InstructionRun,
  t: {
    tokenProgram: string;
    source: string;
    destination: string;
    mint: string;
    authority: string;
    amount: bigint;
    decimals: number;
  },
): void {
  run.logs.push(`Program ${t.tokenProgram} invoke [2]`, 'Program log: Instruction: TransferChecked');
  const source = readTokenAccount(run.chain.get(t.source)?.data ?? new Uint8Array()) as NonNullable<
    ReturnType<typeof readTokenAccount>
  >;
  const destination = readTokenAccount(run.chain.get(t.destination)?.data ?? new Uint8Array()) as NonNullable<
    ReturnType<typeof readTokenAccount>
  >;
  const fail = (variant: keyof typeof TOKEN_ERROR, message: string) =>
    invokedProgramError(t.tokenProgram, { Custom: TOKEN_ERROR[variant] }, [`Program log: Error: ${message}`]);
  if (source.state === 'frozen' || destination.state === 'frozen')
    throw fail('AccountFrozen', 'Account is frozen');
  if (source.mint !== t.mint || destination.mint !== t.mint)
    throw fail('MintMismatch', 'Account not associated with this Mint');
  if (source.owner !== t.authority) throw fail('OwnerMismatch', 'owner does not match');
  if (source.amount < t.amount) throw fail('InsufficientFunds', 'insufficient funds');
  const before = run.chain.get(t.source) as AccountState;
  run.chain.set(t.source, { ...before, data: withTokenAmount(before.data, source.amount - t.amount) });
  const after = run.chain.get(t.destination) as AccountState;
  const current = readTokenAccount(after.data)?.amount ?? 0n;
  run.chain.set(t.destination, { ...after, data: withTokenAmount(after.data, current + t.amount) });
  run.invoked.push({
    programId: t.tokenProgram,
    accounts: [t.source, t.mint, t.destination, t.authority],
    data: new Uint8Array(transferCheckedData(t.amount, t.decimals)),
  });
  run.logs.push(`Program ${t.tokenProgram} success`);
}

/** system_instruction::create_account, invoked with the new account's PDA signature. */
function createAccount(
  run: InstructionRun,
  from: string,
  address: string,
  space: number,
  owner: string,
  depth = 2,
): void {
  run.logs.push(`Program ${SYSTEM_PROGRAM_ID} invoke [${depth}]`);
  const lamports = run.chain.rentExemptMinimum(space);
  const existing = run.chain.get(address);
  if (existing !== undefined && existing.lamports > 0n) {
    throw invokedProgramError(SYSTEM_PROGRAM_ID, { Custom: SYSTEM_ERROR.AccountAlreadyInUse }, [
      `Program log: Create Account: account Address { address: ${address}, base: None } already in use`,
    ]);
  }
  const payer = run.chain.get(from);
  if (payer === undefined || payer.lamports < lamports) {
    throw invokedProgramError(SYSTEM_PROGRAM_ID, { Custom: SYSTEM_ERROR.ResultWithNegativeLamports }, [
      `Transfer: insufficient lamports ${payer?.lamports ?? 0n}, need ${lamports}`,
    ]);
  }
  run.chain.set(from, { ...payer, lamports: payer.lamports - lamports });
  run.chain.set(address, { lamports, owner, data: new Uint8Array(space), executable: false });
  const data = Buffer.alloc(4 + 8 + 8 + 32);
  data.writeBigUInt64LE(lamports, 4);
  data.writeBigUInt64LE(BigInt(space), 12);
  new PublicKey(owner).toBuffer().copy(data, 20);
  run.invoked.push({ programId: SYSTEM_PROGRAM_ID, accounts: [from, address], data: new Uint8Array(data) });
  run.logs.push(`Program ${SYSTEM_PROGRAM_ID} success`);
}

type Accounts<N extends number, R extends InstructionAccount[] = []> = R['length'] extends N
  ? R
  : Accounts<N, [InstructionAccount, ...R]>;

function requireAccounts<N extends number>(run: InstructionRun, count: N): Accounts<N> {
  if (run.accounts.length < count) throw anchorError('AccountNotEnoughKeys');
  return run.accounts.slice(0, count) as Accounts<N>;
}

function requireSigner(account: InstructionAccount, name: string): void {
  if (!account.isSigner) throw anchorError('AccountNotSigner', name);
}

function requireMut(account: InstructionAccount, name: string): void {
  if (!account.isWritable) throw anchorError('ConstraintMut', name);
}

function requireProgram(account: InstructionAccount, programId: string, name: string): void {
  if (account.address !== programId) throw anchorError('InvalidProgramId', name);
}

function requireTokenProgram(account: InstructionAccount): void {
  if (!isTokenProgram(account.address)) throw anchorError('InvalidProgramId', 'token_program');
}

/** `Account<ProtocolState>` with `mut`, `seeds = [PROTOCOL_SEED, mint], bump` and the pause constraint. */
function loadProtocolState(run: InstructionRun, account: InstructionAccount, name: string): ProtocolState {
  const stored = run.chain.get(account.address);
  if (stored === undefined) throw anchorError('AccountNotInitialized', name);
  if (stored.owner !== run.programId) throw anchorError('AccountOwnedByWrongProgram', name);
  const state = decodeProtocolState(stored.data);
  if (state === undefined) throw anchorError('AccountDiscriminatorMismatch', name);
  requireMut(account, name);
  const pda = protocolStateAddress(run.programId, state.mint);
  if (pda.address !== account.address || pda.bump !== state.bump) throw anchorError('ConstraintSeeds', name);
  if (state.paused) throw programError('ProtocolPaused', name);
  return state;
}

function existingTokenAccount(run: InstructionRun, address: string, name: string) {
  const stored = run.chain.get(address);
  if (stored === undefined) throw anchorError('AccountNotInitialized', name);
  if (!isTokenProgram(stored.owner)) throw anchorError('AccountOwnedByWrongProgram', name);
  const account = readTokenAccount(stored.data);
  if (account === undefined || account.state === 'uninitialized')
    throw anchorError('AccountDiscriminatorMismatch', name);
  return account;
}

/** `associated_token::mint`, `::authority` and `::token_program` on an existing account. */
function checkAssociated(
  account: NonNullable<ReturnType<typeof readTokenAccount>>,
  address: string,
  mint: string,
  authority: string,
  tokenProgram: string,
  name: string,
): void {
  if (account.mint !== mint) throw anchorError('ConstraintTokenMint', name);
  if (account.owner !== authority) throw anchorError('ConstraintTokenOwner', name);
  if (associatedTokenAddress(authority, mint, tokenProgram) !== address)
    throw anchorError('AccountNotAssociatedTokenAccount', name);
}
