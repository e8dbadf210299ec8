/**
 * The publish FIFO queue's message body: one root, named by its epoch and (pseudo-)channel. The
 * scheduler writes it; the publisher refuses anything else, so a malformed message fails alone.
 */
import { z } from 'zod';
import { ValidationError } from '../../errors.ts';

export const publishMessageSchema = z.object({
  /** The epoch's hour start in unix seconds. */
  epoch: z.number().int().nonnegative().multipleOf(3600),
  /** A channel or pseudo-channel (`category:<category>:<group>`, `carry:<group>`, shards `~k`). */
  channel: z.string().min(1).max(80),
});

export type PublishMessage = z.output<typeof publishMessageSchema>;

export function parsePublishMessage(body: string): PublishMessage {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    throw new ValidationError('publish message is not JSON');
  }
  const parsed = publishMessageSchema.safeParse(value);
  if (!parsed.success) {
    throw new ValidationError(
      'publish message must be {"epoch": <hour start in unix seconds>, "channel": <name>}',
    );
  }
  return parsed.data;
}
