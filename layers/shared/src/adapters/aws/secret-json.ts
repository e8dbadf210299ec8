/**
 * A JSON secret read against its documented shape. Neither a JSON parse error nor a zod issue
 * is passed on: both would quote the secret.
 */
import type { z } from 'zod';
import { ConfigError } from '../../errors.ts';

export function parseSecretJson<T extends z.ZodTypeAny>(
  text: string,
  schema: T,
  what: string,
  shape: string,
): z.output<T> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ConfigError(`${what} is not JSON; expected ${shape}`);
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new ConfigError(`${what} does not have the expected shape ${shape}`);
  return parsed.data;
}
