/**
 * The delivery engine's admin routes. Their query and id schemas live with the service that
 * validates them (services/delivery/admin-oracle-api.ts, shared with the CLI); the contract names
 * the same schema objects.
 */
import { CALL_STATUSES } from '../../../layers/shared/src/core/delivery/call-status.ts';
import {
  callId,
  listAlertsQuery,
  listCallsQuery,
} from '../../../layers/shared/src/services/delivery/admin-oracle-api.ts';
import { decimalString, defineRoute, isoTime } from './route-contract.ts';
import { z } from './zod.ts';

export const oracleCall = z
  .object({
    id: z.number().int(),
    requestId: z.string(),
    chainId: z.number().int(),
    signerAddress: z.string(),
    contractAddress: z.string(),
    targetAddress: z.string(),
    seasonId: z.number().int().nullable(),
    playerAddress: z.string().nullable(),
    functionName: z.string(),
    parameters: z.unknown(),
    callData: z.string(),
    status: z.enum(CALL_STATUSES),
    generation: z.number().int(),
    attemptCount: z.number().int(),
    maxAttempts: z.number().int(),
    supersedeKey: z.string().nullable(),
    nextAttemptAt: isoTime.nullable(),
    transactionHash: z.string().nullable(),
    blockNumber: z.number().int().nullable(),
    gasUsed: z.number().nullable(),
    errorMessage: z.string().nullable(),
    errorCode: z.string().nullable(),
    retryReason: z.string().nullable(),
    notes: z.string().nullable(),
    createdAt: isoTime,
    firstAttemptAt: isoTime.nullable(),
    lastAttemptAt: isoTime.nullable(),
    completedAt: isoTime.nullable(),
  })
  .openapi('OracleCall');

const txAttempt = z
  .object({
    id: z.number().int(),
    callId: z.number().int(),
    generation: z.number().int(),
    nonce: z.number().int(),
    gasLimit: decimalString,
    maxFeePerGas: decimalString,
    maxPriorityFeePerGas: decimalString,
    txHash: z.string(),
    txHashes: z.array(
      z.object({
        hash: z.string(),
        kind: z.enum(['call', 'fill']),
        maxFeePerGas: decimalString,
        maxPriorityFeePerGas: decimalString,
        sentAt: isoTime,
      }),
    ),
    rawTransaction: z.string(),
    replacements: z.number().int(),
    sentAt: isoTime,
    lastSentAt: isoTime,
    outcome: z.string(),
    minedHash: z.string().nullable(),
    blockNumber: z.number().int().nullable(),
    receipt: z.unknown(),
    errorCode: z.string().nullable(),
    errorMessage: z.string().nullable(),
    missingSinceBlock: z.number().int().nullable().openapi({
      description: 'Head block at the first confirmer pass that found this nonce used and no receipt of ours',
    }),
    missingPasses: z
      .number()
      .int()
      .openapi({ description: 'Passes in a row that found it so; lost once passes and depth are reached' }),
  })
  .openapi('TxAttempt');

const params = z.object({ id: callId.openapi({ description: 'The oracle call id' }) });

export const DELIVERY_ROUTES = {
  'GET /admin/oracle-calls': defineRoute({
    tag: 'delivery',
    summary: 'Oracle call history, newest first',
    description:
      '`address` matches the target, contract or player address; `from` and `to` (ISO-8601) bound the creation time; `before` pages backwards by id. `limit` defaults to 50.',
    query: listCallsQuery,
    responses: {
      200: {
        description: 'Calls',
        schema: z.object({
          calls: z.array(oracleCall),
          nextBefore: z
            .number()
            .int()
            .nullable()
            .openapi({ description: 'Set when the page is full: pass it as `before`' }),
        }),
      },
    },
    errors: { 400: 'a query parameter is malformed or unknown' },
  }),
  'GET /admin/oracle-calls/{id}': defineRoute({
    tag: 'delivery',
    summary: 'One oracle call with every transaction attempt',
    params,
    responses: {
      200: {
        description: 'The call and its attempts',
        schema: z.object({ call: oracleCall, attempts: z.array(txAttempt) }),
      },
    },
    errors: { 400: 'the id is not a positive integer', 404: 'no such call' },
  }),
  'POST /admin/oracle-calls/{id}/retry': defineRoute({
    tag: 'delivery',
    summary: 'Reopen a failed oracle call',
    description:
      'The call gets a new generation with fresh attempts and is queued again. Only a failed call can be retried; an abandoned one (failed, and its effect compensated since, such as a mint refunded to the holder) never can, and the 409 says why.',
    params,
    responses: { 202: { description: 'Queued again', schema: z.object({ call: oracleCall }) } },
    errors: {
      400: 'the id is not a positive integer',
      404: 'no such call',
      409: 'the call is not failed, or it is abandoned (the message gives the reason)',
    },
  }),
  'GET /admin/alerts': defineRoute({
    tag: 'delivery',
    summary: 'Admin alerts and the targets failing now',
    query: listAlertsQuery,
    responses: {
      200: {
        description: 'Alert policy, active failures and sent alerts',
        schema: z.object({
          policy: z.object({ threshold: z.number().int(), cooldownMs: z.number().int() }),
          activeFailures: z.array(
            z.object({
              targetAddress: z.string(),
              consecutiveFailures: z.number().int(),
              lastAlertAt: isoTime.nullable(),
              lastFailureAt: isoTime.nullable(),
              lastFunctionName: z.string().nullable(),
              lastError: z.string().nullable(),
            }),
          ),
          alerts: z.array(
            z.object({
              id: z.number().int(),
              targetAddress: z.string(),
              functionName: z.string().nullable(),
              consecutiveFailures: z.number().int(),
              attemptCount: z.number().int().nullable(),
              message: z.string(),
              error: z.string().nullable(),
              publishedTo: z.string().nullable(),
              createdAt: isoTime,
            }),
          ),
        }),
      },
    },
    errors: { 400: 'a query parameter is malformed or unknown' },
  }),
} as const;
