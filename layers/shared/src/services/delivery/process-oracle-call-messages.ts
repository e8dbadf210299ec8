/**
 * The oracle-calls queue consumer: sends the calls its messages name, in message order, in one
 * pass (consecutive nonces in one transaction). A message for a call that is no longer queued
 * (a duplicate delivery, an old generation, an abandoned call) changes nothing and needs no RPC.
 * While the RPC endpoint's breaker is open, the messages of calls to send fail, go back to the
 * queue and do not count as an attempt; every other message is acknowledged. Because a pass sends
 * nothing once the breaker is open, a message that fails has no sent message behind it in its
 * FIFO group, and the consumer's FIFO processor returns those behind it unprocessed.
 */
import { z } from 'zod';
import { readCalls } from '../../adapters/db/delivery/oracle-call-store.ts';
import { CircuitOpenError } from '../../errors.ts';
import type { DeliveryDeps, OracleCall } from './engine.ts';
import { type SendOutcome, sendCalls } from './send-calls.ts';

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
  const calls = await readCalls(
    deps.sql,
    parsed.flatMap((p) => (p.success ? [p.data.callId] : [])),
  );
  const sendable = (message: z.output<typeof oracleCallMessageSchema>): OracleCall | undefined => {
    const call = calls.get(message.callId);
    return call?.status === 'queued' && call.generation === message.generation ? call : undefined;
  };
  // Message order is the group's order: a reopened call's message comes after newer calls'.
  const toSend = [
    ...new Map(
      parsed.flatMap((p) => {
        const call = p.success ? sendable(p.data) : undefined;
        return call === undefined ? [] : [[call.id, call] as const];
      }),
    ).values(),
  ];
  const outcomes: Map<number, SendOutcome> = deps.breakers.allows(deps.chain.endpoint)
    ? await sendCalls(deps, toSend)
    : new Map(toSend.map((call) => [call.id, 'circuit-open' as const]));
  return parsed.map((p) => {
    // A malformed message can never succeed: it is acknowledged (logged), not retried forever.
    if (!p.success) return { ok: true, outcome: 'malformed' };
    const call = calls.get(p.data.callId);
    if (call === undefined) return { ok: true, outcome: 'unknown-call' };
    if (sendable(p.data) === undefined) return { ok: true, outcome: 'duplicate' };
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
