/**
 * A Solana cluster on one machine: LiteSVM (the Solana runtime in-process) behind a small
 * JSON-RPC HTTP server on 127.0.0.1 that answers the subset of methods the project calls, in
 * the shapes a real node answers them (DESIGN.md section 3). `@solana/web3.js`, the CLI and the
 * publisher talk to it as to any cluster; confirmation polls signature statuses (no WebSocket).
 *
 * Blocks are simulated: the slot (and with it the block height and the blockhash) advances
 * after each landed transaction and on a timer. Blockhash validity is this server's own (a
 * blockhash is valid for `blockhashLifetimeSlots` blocks, as `lastValidBlockHeight` promises),
 * not LiteSVM's, which only accepts its single latest blockhash.
 *
 * LiteSVM 1.5 (`new LiteSVM()`) loads the standard SPL programs at their canonical addresses,
 * Memo v1 and Memo v3 (MemoSq4…) among them, plus Token, Token-2022 and the associated token
 * program; `addProgramFromFile` loads a compiled program (the attention program when
 * ATTENTION_PROGRAM_SO points to one). Without that file, transactions calling the attention
 * program are executed by its stand-in (attention-program/stand-in.ts), which emulates the
 * program by the rules of its public source; they land, fail, cost fees and show in the history
 * like any other.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { address, getTransactionDecoder, lamports, type Transaction } from '@solana/kit';
import { PublicKey, VersionedMessage } from '@solana/web3.js';
import bs58 from 'bs58';
import { FailedTransactionMetadata, LiteSVM } from 'litesvm';
import { DEFAULT_ATTENTION_PROGRAM_ID } from '../layers/shared/src/core/solana/program-ids.ts';
import { AddressHistory, memoField } from './address-history.ts';
import {
  createAttentionStandIn,
  type ExecutionOutcome,
  type InnerInstructionsJson,
  liteSvmChain,
  resolveAccountKeys,
} from './attention-program/stand-in.ts';
import { liteSvmOutcome } from './litesvm-outcomes.ts';
import { computeBudget, expectedFee, LAMPORTS_PER_SIGNATURE } from './solana-fees.ts';
import { type TokenBalanceJson, tokenBalances } from './token-2022.ts';

export type SolanaRpcFaultKind =
  /** The request is swallowed: no processing, no answer until the client gives up. */
  | 'timeout'
  /** HTTP 429 with Retry-After, as a rate-limited public node answers; nothing processed. */
  | '429'
  /** The preflight error of a transaction whose blockhash the node does not know; nothing processed. */
  | 'blockhash-not-found'
  /** Processed normally (a transaction lands), then the connection drops without an answer. */
  | 'drop-after-send'
  /** JSON-RPC internal error (-32603); nothing processed. */
  | 'rpc-error';

export interface SolanaRpcFaults {
  /** The next `times` calls of `method` ('*' for any) fail with `kind`. */
  next(method: string, kind: SolanaRpcFaultKind, times?: number): void;
  clear(): void;
  /** Faults queued and not yet used. */
  pending(): number;
}

export interface SolanaRpcOptions {
  /** @default 0 (a free port) */
  readonly port?: number;
  /** Blocks a blockhash stays valid for, as on mainnet. @default 150 */
  readonly blockhashLifetimeSlots?: number;
  /** A new slot every so many ms; 0 turns the timer off. @default 400 */
  readonly slotIntervalMs?: number;
  /** A new slot after each landed transaction. @default true */
  readonly advanceSlotPerTransaction?: boolean;
  /** Slots after which a landed transaction reports 'finalized' instead of 'confirmed'. @default 32 */
  readonly finalizationDepth?: number;
  /** A compiled attention program to load. @default process.env.ATTENTION_PROGRAM_SO */
  readonly attentionProgramSo?: string;
  /** @default GnGzNdsQMxMpJfMeqnkGPsvHm8kwaDidiKjNU2dCVZop */
  readonly attentionProgramId?: string;
  /** Further compiled programs to load. */
  readonly programs?: readonly { readonly programId: string; readonly path: string }[];
}

export interface LocalAccount {
  readonly data: Uint8Array;
  /** Owner program, base58. */
  readonly owner: string;
  /** @default the rent-exempt minimum for the data length */
  readonly lamports?: bigint;
  readonly executable?: boolean;
}

export interface ProcessedTransactionRecord {
  readonly signature: string;
  readonly slot: bigint;
  readonly blockTime: number;
  readonly fee: bigint;
  /** The transaction error in RPC JSON form, null on success. */
  readonly err: unknown;
  readonly logs: readonly string[];
  readonly wireTransaction: Uint8Array;
}

export interface SolanaRpcHandle {
  readonly url: string;
  readonly svm: LiteSVM;
  readonly faults: SolanaRpcFaults;
  /** Whether a compiled attention program was loaded (ATTENTION_PROGRAM_SO). */
  readonly attentionProgramLoaded: boolean;
  /** Who executes the attention program's instructions: the compiled program, or the stand-in. */
  readonly attentionProgram: 'compiled' | 'stand-in';
  /** Writes an account directly, e.g. a ChannelState laid out as the program would. */
  setAccount(pubkey: string, account: LocalAccount): void;
  /** Credits `lamports` to `pubkey` from the faucet, as requestAirdrop does; returns the signature. */
  airdrop(pubkey: string, lamports: bigint): string;
  /** Moves the chain forward `slots` blocks (each with a new blockhash). */
  advanceSlots(slots?: number): void;
  slot(): bigint;
  blockHeight(): bigint;
  /** Transactions that landed, by signature. */
  transaction(signature: string): ProcessedTransactionRecord | undefined;
  /** How many times `method` was called (faulted calls included). */
  callCount(method: string): number;
  stop(): Promise<void>;
}

type JsonRpcId = string | number | null;
interface JsonRpcRequest {
  readonly jsonrpc?: string;
  readonly id?: JsonRpcId;
  readonly method?: unknown;
  readonly params?: unknown;
}

/** A JSON-RPC error answered to the client, shaped as a real node shapes it. */
class RpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(message);
  }
}

const SLOTS_PER_EPOCH = 432_000n;
const PRIORITIZATION_FEE_SLOTS = 150n;

interface LandedTransaction extends ProcessedTransactionRecord {
  /** Absent for airdrops: LiteSVM signs those with a faucet key it keeps to itself. */
  readonly message: VersionedMessage | undefined;
  readonly preBalances: readonly number[];
  readonly postBalances: readonly number[];
  readonly preTokenBalances: readonly TokenBalanceJson[];
  readonly postTokenBalances: readonly TokenBalanceJson[];
  readonly computeUnitsConsumed: number;
  readonly innerInstructions: readonly InnerInstructionsJson[];
  readonly computeUnitPrice: bigint;
  readonly writableAccounts: ReadonlySet<string>;
  readonly memo: string | null;
}

interface DecodedTransaction {
  readonly transaction: Transaction;
  readonly wire: Uint8Array;
  readonly message: VersionedMessage;
  readonly signature: string;
}

export async function startSolanaRpc(options: SolanaRpcOptions = {}): Promise<SolanaRpcHandle> {
  const blockhashLifetime = BigInt(options.blockhashLifetimeSlots ?? 150);
  const finalizationDepth = BigInt(options.finalizationDepth ?? 32);
  const advancePerTransaction = options.advanceSlotPerTransaction ?? true;

  // Blockhash checks are this server's (see the file comment); signatures are still verified.
  const svm = new LiteSVM().withBlockhashCheck(false);
  const attentionProgramSo = options.attentionProgramSo ?? process.env['ATTENTION_PROGRAM_SO'];
  let attentionProgramLoaded = false;
  if (attentionProgramSo !== undefined && attentionProgramSo !== '') {
    if (!existsSync(attentionProgramSo)) {
      throw new Error(`ATTENTION_PROGRAM_SO points to ${attentionProgramSo}, which does not exist`);
    }
    svm.addProgramFromFile(
      address(options.attentionProgramId ?? DEFAULT_ATTENTION_PROGRAM_ID),
      attentionProgramSo,
    );
    attentionProgramLoaded = true;
  }
  for (const program of options.programs ?? [])
    svm.addProgramFromFile(address(program.programId), program.path);
  const standIn = attentionProgramLoaded
    ? undefined
    : createAttentionStandIn(svm, options.attentionProgramId ?? DEFAULT_ATTENTION_PROGRAM_ID);
  const chain = liteSvmChain(svm);

  const genesisHash = bs58.encode(randomBytes(32));
  let slot = svm.getClock().slot;
  let blockHeight = 0n;
  let transactionCount = 0n;
  /** blockhash → last block height at which a transaction carrying it can land */
  const blockhashes = new Map<string, bigint>([[svm.latestBlockhash(), blockHeight + blockhashLifetime]]);
  const history = new Map<string, LandedTransaction>();
  const addressHistory = new AddressHistory();
  const slotsWithTransactions: bigint[] = [];
  const calls = new Map<string, number>();
  const faultQueue: { method: string; kind: SolanaRpcFaultKind; remaining: number }[] = [];

  function advanceSlots(count = 1): void {
    for (let i = 0; i < count; i++) {
      slot += 1n;
      blockHeight += 1n;
      const clock = svm.getClock();
      clock.slot = slot;
      clock.epoch = slot / SLOTS_PER_EPOCH;
      clock.unixTimestamp = BigInt(Math.floor(Date.now() / 1000));
      svm.setClock(clock);
      svm.expireBlockhash();
      blockhashes.set(svm.latestBlockhash(), blockHeight + blockhashLifetime);
    }
    for (const [hash, lastValid] of blockhashes) {
      if (lastValid < blockHeight) blockhashes.delete(hash);
    }
  }

  function context(): { slot: number; apiVersion: string } {
    return { slot: Number(slot), apiVersion: '2.2.0' };
  }

  function isBlockhashValid(blockhash: string): boolean {
    const lastValid = blockhashes.get(blockhash);
    return lastValid !== undefined && blockHeight <= lastValid;
  }

  function latestBlockhash(): { blockhash: string; lastValidBlockHeight: number } {
    const blockhash = svm.latestBlockhash();
    return {
      blockhash,
      lastValidBlockHeight: Number(blockhashes.get(blockhash) ?? blockHeight + blockhashLifetime),
    };
  }

  function balancesOf(keys: readonly string[]): number[] {
    return keys.map((key) => Number(svm.getBalance(address(key)) ?? 0n));
  }

  /** Runs a transaction, or only simulates it (nothing changes) when `commit` is false. */
  function execute(decoded: DecodedTransaction, commit: boolean): ExecutionOutcome {
    if (standIn?.handles(decoded.message)) return standIn.execute(decoded, { commit });
    return liteSvmOutcome(
      commit ? svm.sendTransaction(decoded.transaction) : svm.simulateTransaction(decoded.transaction),
      decoded.message,
    );
  }

  function record(
    decoded: DecodedTransaction,
    outcome: ExecutionOutcome,
    pre: { lamports: number[]; tokens: TokenBalanceJson[] },
  ) {
    const keys = staticKeys(decoded.message);
    const instructions = decoded.message.compiledInstructions.map((ix) => ({
      programAddress: keys[ix.programIdIndex] ?? '',
      data: ix.data,
    }));
    const landed: LandedTransaction = {
      signature: decoded.signature,
      slot,
      blockTime: Math.floor(Date.now() / 1000),
      fee: outcome.fee,
      err: outcome.err,
      logs: outcome.logs,
      wireTransaction: decoded.wire,
      message: decoded.message,
      preBalances: pre.lamports,
      postBalances: balancesOf(keys),
      preTokenBalances: pre.tokens,
      postTokenBalances: tokenBalances(keys, chain.get),
      computeUnitsConsumed: outcome.computeUnitsConsumed,
      innerInstructions: outcome.innerInstructions,
      computeUnitPrice: computeBudget(decoded.message).price,
      writableAccounts: new Set(keys.filter((_, i) => decoded.message.isAccountWritable(i))),
      memo: memoField(instructions),
    };
    history.set(decoded.signature, landed);
    addressHistory.add(decoded.signature, resolveAccountKeys(decoded.message, chain) ?? keys);
    transactionCount += 1n;
    if (slotsWithTransactions.at(-1) !== slot) slotsWithTransactions.push(slot);
    while (slotsWithTransactions.length > Number(PRIORITIZATION_FEE_SLOTS)) slotsWithTransactions.shift();
    if (advancePerTransaction) advanceSlots(1);
    return landed;
  }

  function sendTransaction(params: unknown[]): string {
    const config = (params[1] ?? {}) as { encoding?: string; skipPreflight?: boolean };
    const decoded = decodeTransaction(params[0], config.encoding ?? 'base58');
    const skipPreflight = config.skipPreflight === true;
    if (history.has(decoded.signature)) {
      if (skipPreflight) return decoded.signature;
      throw preflightFailure('AlreadyProcessed', []);
    }
    if (!isBlockhashValid(decoded.message.recentBlockhash)) {
      // A node that skips preflight forwards the transaction, and the leader drops it.
      if (skipPreflight) return decoded.signature;
      throw preflightFailure('BlockhashNotFound', []);
    }
    if (!skipPreflight) {
      const simulated = execute(decoded, false);
      if (simulated.err !== null) throw preflightFailure(simulated.err, simulated.logs);
    }
    const keys = staticKeys(decoded.message);
    const pre = { lamports: balancesOf(keys), tokens: tokenBalances(keys, chain.get) };
    const outcome = execute(decoded, true);
    if (!outcome.landed) {
      // Rejected before execution (bad signature, no funds for the fee): nothing lands.
      if (skipPreflight) return decoded.signature;
      throw preflightFailure(outcome.err, outcome.logs);
    }
    record(decoded, outcome, pre);
    return decoded.signature;
  }

  function simulateTransaction(params: unknown[]) {
    const config = (params[1] ?? {}) as { encoding?: string; sigVerify?: boolean };
    const decoded = decodeTransaction(params[0], config.encoding ?? 'base58');
    if (!isBlockhashValid(decoded.message.recentBlockhash)) {
      return {
        context: context(),
        value: { err: 'BlockhashNotFound', logs: [], accounts: null, unitsConsumed: 0 },
      };
    }
    const simulated = execute(decoded, false);
    return {
      context: context(),
      value: {
        err: simulated.err,
        logs: simulated.logs,
        accounts: null,
        unitsConsumed: simulated.computeUnitsConsumed,
        returnData: null,
      },
    };
  }

  function signatureStatus(signature: unknown) {
    const landed = typeof signature === 'string' ? history.get(signature) : undefined;
    if (landed === undefined) return null;
    const depth = slot - landed.slot;
    const finalized = depth >= finalizationDepth;
    return {
      slot: Number(landed.slot),
      confirmations: finalized ? null : Number(depth),
      err: landed.err,
      status: landed.err === null ? { Ok: null } : { Err: landed.err },
      confirmationStatus: finalized ? 'finalized' : 'confirmed',
    };
  }

  function getTransaction(params: unknown[]) {
    const signature = params[0];
    const config = (typeof params[1] === 'string' ? { encoding: params[1] } : (params[1] ?? {})) as {
      encoding?: string;
      maxSupportedTransactionVersion?: number;
    };
    const landed = typeof signature === 'string' ? history.get(signature) : undefined;
    if (landed?.message === undefined) return null;
    const message = landed.message;
    const version = message.version;
    if (version !== 'legacy' && config.maxSupportedTransactionVersion === undefined) {
      throw new RpcError(
        -32015,
        `Transaction version (${version}) is not supported by the requesting client. ` +
          'Please try the request again with the following configuration parameter: "maxSupportedTransactionVersion": 0',
      );
    }
    const meta = {
      err: landed.err,
      status: landed.err === null ? { Ok: null } : { Err: landed.err },
      fee: Number(landed.fee),
      preBalances: landed.preBalances,
      postBalances: landed.postBalances,
      innerInstructions: landed.innerInstructions,
      logMessages: landed.logs,
      preTokenBalances: landed.preTokenBalances,
      postTokenBalances: landed.postTokenBalances,
      rewards: [],
      loadedAddresses: { writable: [], readonly: [] },
      computeUnitsConsumed: landed.computeUnitsConsumed,
    };
    const transaction =
      config.encoding === 'base64'
        ? [Buffer.from(landed.wireTransaction).toString('base64'), 'base64']
        : {
            signatures: transactionSignatures(landed.wireTransaction),
            message: {
              header: message.header,
              accountKeys: staticKeys(message),
              recentBlockhash: message.recentBlockhash,
              instructions: message.compiledInstructions.map((ix) => ({
                programIdIndex: ix.programIdIndex,
                accounts: ix.accountKeyIndexes,
                data: bs58.encode(ix.data),
                stackHeight: null,
              })),
              ...(version === 'legacy'
                ? {}
                : {
                    addressTableLookups: message.addressTableLookups.map((lookup) => ({
                      accountKey: lookup.accountKey.toBase58(),
                      writableIndexes: lookup.writableIndexes,
                      readonlyIndexes: lookup.readonlyIndexes,
                    })),
                  }),
            },
          };
    return {
      slot: Number(landed.slot),
      blockTime: landed.blockTime,
      ...(config.maxSupportedTransactionVersion === undefined ? {} : { version }),
      meta,
      transaction,
    };
  }

  function accountInfo(
    pubkey: unknown,
    config: { encoding?: string; dataSlice?: { offset: number; length: number } },
  ) {
    const account = svm.getAccount(address(parsePubkey(pubkey)));
    if (!account.exists) return null;
    let data = account.data;
    if (config.dataSlice !== undefined) {
      data = data.slice(config.dataSlice.offset, config.dataSlice.offset + config.dataSlice.length);
    }
    const encoding = config.encoding ?? 'base58';
    return {
      data:
        encoding === 'base58'
          ? [bs58.encode(data), 'base58']
          : [Buffer.from(data).toString('base64'), 'base64'],
      executable: account.executable,
      lamports: Number(account.lamports),
      owner: account.programAddress,
      rentEpoch: 0,
      space: account.data.length,
    };
  }

  function requestAirdrop(params: unknown[]): string {
    const recipient = parsePubkey(params[0]);
    const amount = parseInteger(params[1], 'lamports');
    const outcome = svm.airdrop(address(recipient), lamports(amount));
    if (outcome === null || outcome instanceof FailedTransactionMetadata) {
      throw new RpcError(-32603, `airdrop failed: ${outcome === null ? 'no result' : outcome.toString()}`);
    }
    const signature = bs58.encode(outcome.signature());
    history.set(signature, {
      signature,
      slot,
      blockTime: Math.floor(Date.now() / 1000),
      fee: LAMPORTS_PER_SIGNATURE,
      err: null,
      logs: outcome.logs(),
      wireTransaction: new Uint8Array(),
      message: undefined,
      preBalances: [],
      postBalances: [],
      preTokenBalances: [],
      postTokenBalances: [],
      computeUnitsConsumed: Number(outcome.computeUnitsConsumed()),
      innerInstructions: [],
      computeUnitPrice: 0n,
      writableAccounts: new Set([recipient]),
      memo: null,
    });
    addressHistory.add(signature, [recipient]);
    transactionCount += 1n;
    // LiteSVM signs airdrops with its latest blockhash: a second identical airdrop in the same
    // block would be a duplicate transaction, so every airdrop ends its block.
    advanceSlots(1);
    return signature;
  }

  function recentPrioritizationFees(params: unknown[]) {
    const wanted = Array.isArray(params[0]) ? new Set(params[0].map(parsePubkey)) : new Set<string>();
    const perSlot = new Map<bigint, bigint>();
    for (const landed of history.values()) {
      if (landed.slot + PRIORITIZATION_FEE_SLOTS < slot) continue;
      if (wanted.size > 0 && ![...wanted].some((key) => landed.writableAccounts.has(key))) continue;
      const current = perSlot.get(landed.slot);
      if (current === undefined || landed.computeUnitPrice < current)
        perSlot.set(landed.slot, landed.computeUnitPrice);
    }
    return slotsWithTransactions
      .filter((s) => s + PRIORITIZATION_FEE_SLOTS >= slot)
      .map((s) => ({ slot: Number(s), prioritizationFee: Number(perSlot.get(s) ?? 0n) }));
  }

  function feeForMessage(params: unknown[]): number | null {
    if (typeof params[0] !== 'string')
      throw new RpcError(-32602, 'Invalid params: expected a base64 message');
    let message: VersionedMessage;
    try {
      message = VersionedMessage.deserialize(Buffer.from(params[0], 'base64'));
    } catch (error) {
      throw new RpcError(-32602, `Invalid params: invalid message: ${(error as Error).message}`);
    }
    if (!isBlockhashValid(message.recentBlockhash)) return null;
    return Number(expectedFee(message));
  }

  function signaturesForAddress(params: unknown[]) {
    const key = parsePubkey(params[0]);
    const config = (params[1] ?? {}) as { before?: string; until?: string; limit?: number };
    let page: string[];
    try {
      page = addressHistory.query(key, {
        ...(config.before === undefined ? {} : { before: config.before }),
        ...(config.until === undefined ? {} : { until: config.until }),
        ...(config.limit === undefined ? {} : { limit: config.limit }),
      });
    } catch (error) {
      throw new RpcError(-32602, `Invalid params: ${(error as Error).message}`);
    }
    return page.map((signature) => {
      const landed = history.get(signature) as LandedTransaction;
      return {
        signature,
        slot: Number(landed.slot),
        err: landed.err,
        memo: landed.memo,
        blockTime: landed.blockTime,
        confirmationStatus: signatureStatus(signature)?.confirmationStatus ?? null,
      };
    });
  }

  function tokenAccountBalance(params: unknown[]) {
    const key = parsePubkey(params[0]);
    const [balance] = tokenBalances([key], chain.get);
    if (balance === undefined) throw new RpcError(-32602, 'Invalid param: not a Token account');
    return { context: context(), value: balance.uiTokenAmount };
  }

  const handlers: Record<string, (params: unknown[]) => unknown> = {
    sendTransaction,
    getSignaturesForAddress: signaturesForAddress,
    getTokenAccountBalance: tokenAccountBalance,
    simulateTransaction,
    getSignatureStatuses: (params) => {
      const signatures = Array.isArray(params[0]) ? params[0] : [];
      return { context: context(), value: signatures.map(signatureStatus) };
    },
    getTransaction,
    getAccountInfo: (params) => ({
      context: context(),
      value: accountInfo(params[0], (params[1] ?? {}) as { encoding?: string }),
    }),
    getMultipleAccounts: (params) => ({
      context: context(),
      value: (Array.isArray(params[0]) ? params[0] : []).map((key) =>
        accountInfo(key, (params[1] ?? {}) as { encoding?: string }),
      ),
    }),
    getBalance: (params) => ({
      context: context(),
      value: Number(svm.getBalance(address(parsePubkey(params[0]))) ?? 0n),
    }),
    getLatestBlockhash: () => ({ context: context(), value: latestBlockhash() }),
    isBlockhashValid: (params) => ({ context: context(), value: isBlockhashValid(String(params[0])) }),
    getBlockHeight: () => Number(blockHeight),
    getSlot: () => Number(slot),
    getFeeForMessage: (params) => ({ context: context(), value: feeForMessage(params) }),
    getRecentPrioritizationFees: recentPrioritizationFees,
    requestAirdrop,
    getMinimumBalanceForRentExemption: (params) =>
      Number(svm.minimumBalanceForRentExemption(BigInt(parseInteger(params[0], 'data length')))),
    getVersion: () => ({ 'solana-core': '2.2.0', 'feature-set': 0 }),
    getGenesisHash: () => genesisHash,
    getEpochInfo: () => ({
      absoluteSlot: Number(slot),
      blockHeight: Number(blockHeight),
      epoch: Number(slot / SLOTS_PER_EPOCH),
      slotIndex: Number(slot % SLOTS_PER_EPOCH),
      slotsInEpoch: Number(SLOTS_PER_EPOCH),
      transactionCount: Number(transactionCount),
    }),
    getHealth: () => 'ok',
  };

  function takeFault(methods: readonly string[]): SolanaRpcFaultKind | undefined {
    const at = faultQueue.findIndex((fault) => fault.method === '*' || methods.includes(fault.method));
    const fault = faultQueue[at];
    if (fault === undefined) return undefined;
    fault.remaining -= 1;
    if (fault.remaining <= 0) faultQueue.splice(at, 1);
    return fault.kind;
  }

  function answer(request: JsonRpcRequest, fault: SolanaRpcFaultKind | undefined): unknown {
    const id = request.id ?? null;
    const method = typeof request.method === 'string' ? request.method : '';
    const handler = handlers[method];
    if (handler === undefined)
      return { jsonrpc: '2.0', id, error: { code: -32601, message: 'Method not found' } };
    if (fault === 'rpc-error')
      return { jsonrpc: '2.0', id, error: { code: -32603, message: 'Internal error' } };
    if (fault === 'blockhash-not-found') {
      const failure = preflightFailure('BlockhashNotFound', []);
      return {
        jsonrpc: '2.0',
        id,
        error: { code: failure.code, message: failure.message, data: failure.data },
      };
    }
    try {
      const params = Array.isArray(request.params) ? request.params : [];
      return { jsonrpc: '2.0', id, result: handler(params) };
    } catch (error) {
      if (error instanceof RpcError) {
        return {
          jsonrpc: '2.0',
          id,
          error: {
            code: error.code,
            message: error.message,
            ...(error.data === undefined ? {} : { data: error.data }),
          },
        };
      }
      return {
        jsonrpc: '2.0',
        id,
        error: { code: -32603, message: `Internal error: ${(error as Error).message}` },
      };
    }
  }

  const heldSockets = new Set<Socket>();

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method === 'OPTIONS') {
      res.writeHead(204, { ...CORS, 'Access-Control-Max-Age': '600' }).end();
      return;
    }
    if (req.method !== 'POST') {
      res.writeHead(405, { Allow: 'POST' }).end();
      return;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    let body: unknown;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      respond(res, 200, { jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error' } });
      return;
    }
    const requests = (Array.isArray(body) ? body : [body]) as JsonRpcRequest[];
    const methods = requests.map((request) => (typeof request?.method === 'string' ? request.method : ''));
    for (const method of methods) calls.set(method, (calls.get(method) ?? 0) + 1);

    const fault = takeFault(methods);
    if (fault === 'timeout') {
      heldSockets.add(req.socket);
      req.socket.once('close', () => heldSockets.delete(req.socket));
      return;
    }
    if (fault === '429') {
      res.writeHead(429, { ...CORS, 'Content-Type': 'application/json', 'Retry-After': '1' });
      res.end(
        JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: 429, message: 'Too many requests' } }),
      );
      return;
    }
    const answers = requests.map((request) => answer(request ?? {}, fault));
    if (fault === 'drop-after-send') {
      req.socket.destroy();
      return;
    }
    respond(res, 200, Array.isArray(body) ? answers : answers[0]);
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) {
        respond(res, 500, { jsonrpc: '2.0', id: null, error: { code: -32603, message: String(error) } });
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const bound = server.address();
  const port = typeof bound === 'object' && bound !== null ? bound.port : 0;

  const slotIntervalMs = options.slotIntervalMs ?? 400;
  const timer = slotIntervalMs > 0 ? setInterval(() => advanceSlots(1), slotIntervalMs) : undefined;
  timer?.unref();

  return {
    url: `http://127.0.0.1:${port}`,
    svm,
    attentionProgramLoaded,
    attentionProgram: attentionProgramLoaded ? 'compiled' : 'stand-in',
    faults: {
      next(method, kind, times = 1) {
        faultQueue.push({ method, kind, remaining: times });
      },
      clear() {
        faultQueue.length = 0;
      },
      pending: () => faultQueue.reduce((sum, fault) => sum + fault.remaining, 0),
    },
    setAccount(pubkey, account) {
      svm.setAccount({
        address: address(pubkey),
        data: account.data,
        programAddress: address(account.owner),
        executable: account.executable ?? false,
        lamports: lamports(
          account.lamports ?? svm.minimumBalanceForRentExemption(BigInt(account.data.length)),
        ),
        space: BigInt(account.data.length),
      });
    },
    airdrop: (pubkey, amount) => requestAirdrop([pubkey, Number(amount)]),
    advanceSlots,
    slot: () => slot,
    blockHeight: () => blockHeight,
    transaction: (signature) => history.get(signature),
    callCount: (method) => calls.get(method) ?? 0,
    async stop() {
      if (timer !== undefined) clearInterval(timer);
      for (const socket of heldSockets) socket.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * Public Solana RPC endpoints answer any origin (they take no credentials), so a browser page
 * such as the claims page sends transactions to them directly; this RPC does the same.
 */
const CORS = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Methods': 'POST, OPTIONS',
  'Access-Control-Allow-Headers': 'content-type, solana-client',
} as const;

function respond(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { ...CORS, 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
}

function decodeTransaction(encoded: unknown, encoding: string): DecodedTransaction {
  if (typeof encoded !== 'string')
    throw new RpcError(-32602, 'Invalid params: expected an encoded transaction');
  let wire: Uint8Array;
  let decoded: DecodedTransaction;
  try {
    if (encoding === 'base64') wire = new Uint8Array(Buffer.from(encoded, 'base64'));
    else if (encoding === 'base58') wire = bs58.decode(encoded);
    else throw new Error(`unsupported encoding ${encoding}`);
    // LiteSVM takes @solana/kit's Transaction, so the wire bytes go through kit's decoder.
    const transaction = getTransactionDecoder().decode(wire);
    const message = VersionedMessage.deserialize(new Uint8Array(transaction.messageBytes));
    const first = message.staticAccountKeys[0]?.toBase58();
    const signatureBytes =
      first === undefined ? null : transaction.signatures[first as keyof typeof transaction.signatures];
    if (signatureBytes === null || signatureBytes === undefined)
      throw new Error('transaction is not signed by its fee payer');
    decoded = { transaction, wire, message, signature: bs58.encode(signatureBytes) };
  } catch (error) {
    throw new RpcError(-32602, `invalid transaction: ${(error as Error).message}`);
  }
  if (Object.values(decoded.transaction.signatures).some((signature) => signature === null)) {
    throw new RpcError(-32003, 'Transaction signature verification failure');
  }
  return decoded;
}

function staticKeys(message: VersionedMessage): string[] {
  return message.staticAccountKeys.map((key) => key.toBase58());
}

function transactionSignatures(wire: Uint8Array): string[] {
  const transaction = getTransactionDecoder().decode(wire);
  return Object.values(transaction.signatures).map((signature) =>
    signature === null ? bs58.encode(new Uint8Array(64)) : bs58.encode(signature),
  );
}

/** The -32002 error a node answers when preflight simulation fails. */
function preflightFailure(err: unknown, logs: readonly string[]): RpcError {
  return new RpcError(-32002, `Transaction simulation failed: ${describeTransactionError(err)}`, {
    err,
    logs,
    accounts: null,
    unitsConsumed: 0,
    returnData: null,
  });
}

function describeTransactionError(err: unknown): string {
  if (err === 'BlockhashNotFound') return 'Blockhash not found';
  if (err === 'AlreadyProcessed') return 'This transaction has already been processed';
  if (typeof err === 'string') return err;
  if (err !== null && typeof err === 'object' && 'InstructionError' in err) {
    const [index, inner] = (err as { InstructionError: [number, unknown] }).InstructionError;
    const detail =
      inner !== null && typeof inner === 'object' && 'Custom' in inner
        ? `custom program error: 0x${(inner as { Custom: number }).Custom.toString(16)}`
        : JSON.stringify(inner);
    return `Error processing Instruction ${index}: ${detail}`;
  }
  return JSON.stringify(err);
}

function parsePubkey(value: unknown): string {
  if (typeof value !== 'string') throw new RpcError(-32602, 'Invalid params: expected a base58 public key');
  try {
    return new PublicKey(value).toBase58();
  } catch {
    throw new RpcError(-32602, `Invalid params: Invalid public key ${value}`);
  }
}

function parseInteger(value: unknown, field: string): bigint {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new RpcError(-32602, `Invalid params: ${field} must be a non-negative integer`);
  }
  return BigInt(value);
}
