/**
 * The oracle-calls queue consumer: sends the calls its messages name. A message for a call
 * that is no longer queued (a duplicate delivery, an old generation) changes nothing. While
 * the RPC endpoint's breaker is open, messages go back to the queue without counting as an attempt.
 */
import { z } from 'zod';
import { CircuitOpenError, ValidationError } from '../../errors.ts';
import { type DeliveryDeps, toCall } from './engine.ts';
import { sendCalls } from './send-calls.ts';

export const oracleCallMessageSchema = z.object({
  callId: z.number().int().positive(),
  requestId: z.string().min(1),
  generation: z.number().int().positive(),
});

export type MessageResult =
  | { readonly ok: true; readonly outcome: string }
  | { readonly ok: false; readonly error: Error };

export async function processOracleCallMessages(
  deps: DeliveryDeps,
  bodies: readonly unknown[],
): Promise<MessageResult[]> {
  const parsed = bodies.map((body) => oracleCallMessageSchema.safeParse(body));
  const valid = parsed.flatMap((p) => (p.success ? [p.data] : []));
  if (!deps.breakers.allows(deps.chain.endpoint)) {
    const open = new CircuitOpenError(
      `circuit open for ${deps.chain.endpoint}; message returns to the queue`,
    );
    return parsed.map((p) =>
      p.success ? { ok: false, error: open } : { ok: false, error: new ValidationError(p.error.message) },
    );
  }
  const ids = [...new Set(valid.map((m) => m.callId))];
  const rows =
    ids.length === 0
      ? []
      : await deps.sql`select * from delivery.oracle_call_history where id = any(${ids}::bigint[])`;
  const calls = new Map(rows.map((row) => [Number(row['id']), toCall(row)]));
  const toSend = [...calls.values()].filter((call) => call.status === 'queued').sort((a, b) => a.id - b.id);
  const outcomes = await sendCalls(deps, toSend);
  return parsed.map((p) => {
    // A malformed message can never succeed: it is acknowledged (logged), not retried forever.
    if (!p.success) return { ok: true, outcome: 'malformed' };
    const call = calls.get(p.data.callId);
    if (call === undefined) return { ok: true, outcome: 'unknown-call' };
    if (call.generation !== p.data.generation || call.status !== 'queued')
      return { ok: true, outcome: 'duplicate' };
    const outcome = outcomes.get(call.id) ?? 'duplicate';
    if (outcome === 'circuit-open') {
      return {
        ok: false,
        error: new CircuitOpenError(`circuit open for ${deps.chain.endpoint}; call ${call.id} waits`),
      };
    }
    return { ok: true, outcome };
  });
}
