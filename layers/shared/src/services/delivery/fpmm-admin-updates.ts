/**
 * An operator's FPMM update (`POST /admin/fpmm/{fpmm}/raffle-probability` and
 * `.../market-sentiment`, `oracle fpmm ...`): checked against the reference contract's own
 * bounds (contracts/FixedProductMarketMaker.sol) so the chain never sees a value it would revert
 * on, then handed to the delivery engine like every oracle call (ordered per signer, retried,
 * alerted per FPMM address). The call and its audit entry commit in one transaction; the queue
 * message follows the commit.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { addressProblem } from '../../core/delivery/evm-address.ts';
import { ConflictError } from '../../errors.ts';
import { recordAdminAction } from '../platform/admin-audit.ts';
import { normalizeAddress, type OracleCall } from './engine.ts';
import {
  type EnqueueDeps,
  type EnqueueResult,
  type OracleCallRequest,
  recordOracleCalls,
  sendOracleCallMessages,
} from './enqueue-oracle-call.ts';
import { fpmmSupersedeKey, marketSentimentRequest, raffleProbabilityRequest } from './fpmm-oracle-calls.ts';

/** The contract's MAX_BPS: 10,000 basis points are 100 %. */
export const MAX_BPS = 10_000;

const PROBLEMS = {
  'not-hex': 'must be 0x followed by 40 hex characters',
  'bad-checksum':
    'does not match its mixed-case (EIP-55) checksum: a character is mistyped; give it as copied, or all lowercase',
  zero: 'must not be the zero address (the contract refuses it)',
} as const;

/** An EVM address as an operator pastes it: EIP-55 checked when mixed-case, never the zero address. */
export const checkedAddress = z.string().superRefine((value, ctx) => {
  const problem = addressProblem(value);
  if (problem !== undefined) ctx.addIssue({ code: z.ZodIssueCode.custom, message: PROBLEMS[problem] });
});

export const fpmmParams = z.object({ fpmm: checkedAddress }).strict();

const seasonId = z
  .number()
  .int()
  .min(1, 'must be at least 1 (the contract refuses season 0)')
  // uint256 on chain; the call history stores it as a bigint and JSON carries integers exactly to 2^53 - 1.
  .max(Number.MAX_SAFE_INTEGER, `must be at most ${Number.MAX_SAFE_INTEGER}`);

const requestId = z
  .string()
  .min(1, 'must not be empty')
  .max(200, 'must be at most 200 characters')
  .optional();

export const raffleProbabilityBody = z
  .object({
    seasonId,
    player: checkedAddress,
    probabilityBps: z
      .number()
      .int('must be a whole number of basis points')
      .min(0, 'must be at least 0')
      .max(MAX_BPS, `must be at most ${MAX_BPS} (100 %, the contract's MAX_BPS)`),
    requestId,
  })
  .strict();

export const marketSentimentBody = z
  .object({
    seasonId,
    player: checkedAddress,
    sentimentBps: z
      .number()
      .int('must be a whole number of basis points')
      .min(-MAX_BPS, `must be at least -${MAX_BPS} (-100 %)`)
      .max(MAX_BPS, `must be at most ${MAX_BPS} (+100 %)`),
    requestId,
  })
  .strict();

export type FpmmUpdateKind = 'raffle-probability' | 'market-sentiment';

export type FpmmUpdateInput =
  | { readonly kind: 'raffle-probability'; readonly body: z.output<typeof raffleProbabilityBody> }
  | { readonly kind: 'market-sentiment'; readonly body: z.output<typeof marketSentimentBody> };

export interface FpmmAdminDeps extends EnqueueDeps {
  /** Told when the queue refused the message of a recorded call (the confirmer sends it). */
  readonly warn?: (message: string, data: Record<string, unknown>) => void;
}

/**
 * Records the update as an oracle call and audits it under `actor` (an admin token's name, or
 * `cli:<user>@<host>`), then queues it. Without a request id each request is a new call; a known
 * request id with the same update returns its call (`created: false`, nothing audited or sent),
 * with another update it is a conflict.
 */
export async function requestFpmmUpdate(
  deps: FpmmAdminDeps,
  fpmmAddress: string,
  input: FpmmUpdateInput,
  actor: string,
): Promise<EnqueueResult> {
  const { seasonId, player } = input.body;
  const update = {
    fpmmAddress,
    seasonId,
    player,
    requestId: input.body.requestId ?? `admin:fpmm:${randomUUID()}`,
  };
  const [request, value, valueName] =
    input.kind === 'raffle-probability'
      ? [
          raffleProbabilityRequest({ ...update, probabilityBps: input.body.probabilityBps }),
          input.body.probabilityBps,
          'probabilityBps',
        ]
      : [
          marketSentimentRequest({ ...update, sentimentBps: input.body.sentimentBps }),
          input.body.sentimentBps,
          'sentimentBps',
        ];
  const key = fpmmSupersedeKey(update, input.kind === 'raffle-probability' ? 'raffle' : 'sentiment');
  const recorded = await deps.sql.begin(async (tx) => {
    const [previous] = await tx<{ id: string; status: string; parameters: Record<string, unknown> }[]>`
      select id, status, parameters from delivery.oracle_call_history
      where supersede_key = ${key} order by id desc limit 1`;
    const { results, fresh } = await recordOracleCalls(tx, deps, [request]);
    const [result] = results;
    if (result === undefined) throw new Error('the update was not recorded');
    if (!result.created) return { result, fresh };
    await recordAdminAction(tx, {
      actor,
      action: `fpmm.${input.kind}`,
      targetType: 'fpmm',
      targetId: normalizeAddress(fpmmAddress),
      before:
        previous === undefined
          ? null
          : {
              callId: Number(previous.id),
              status: previous.status,
              [valueName]: previous.parameters[valueName] ?? null,
            },
      after: { callId: result.call.id, status: result.call.status, [valueName]: value },
      details: { seasonId, player: normalizeAddress(player), requestId: request.requestId },
    });
    return { result, fresh };
  });
  const { result, fresh } = recorded;
  if (!result.created) {
    assertSameUpdate(result.call, request, { seasonId, player, [valueName]: value });
    return result;
  }
  try {
    await sendOracleCallMessages(deps.queue, fresh);
  } catch (error) {
    // Recorded and audited as queued: the confirmer sends a call whose message never arrived.
    deps.warn?.('FPMM update recorded, its queue message not sent; the delivery confirmer will send it', {
      callId: result.call.id,
      error: (error as Error).message,
    });
  }
  return result;
}

function assertSameUpdate(
  call: OracleCall,
  request: OracleCallRequest,
  wanted: Record<string, unknown>,
): void {
  const stored = (call.parameters ?? {}) as Record<string, unknown>;
  const same =
    request.functionSignature.startsWith(`${call.functionName}(`) &&
    call.contractAddress === normalizeAddress(request.contractAddress) &&
    Object.entries(wanted).every(([name, value]) =>
      typeof value === 'string'
        ? String(stored[name]).toLowerCase() === value.toLowerCase()
        : stored[name] === value,
    );
  if (!same) {
    throw new ConflictError(
      `requestId ${call.requestId} already names oracle call ${call.id} (${call.functionName} with other values); a request id is used for one update only`,
      { details: { callId: call.id, functionName: call.functionName } },
    );
  }
}
