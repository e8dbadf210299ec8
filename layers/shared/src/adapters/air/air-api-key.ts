/**
 * The AIR API key as the AirApiKey secret holds it: `{"apiKey":"..."}` (README.md, "Deploying
 * to AWS"). The secret's whole JSON value as a header is refused by AIR on every call.
 */
import { z } from 'zod';
import { ConfigError } from '../../errors.ts';

const airSecret = z.object({ apiKey: z.string().min(1) });

export function airApiKeyFromSecret(text: string): string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // The parse error would quote the key.
    throw new ConfigError('the AIR API key secret is not JSON; expected {"apiKey":"..."}');
  }
  const parsed = airSecret.safeParse(value);
  if (!parsed.success)
    throw new ConfigError('the AIR API key secret has no apiKey; expected {"apiKey":"..."}');
  return parsed.data.apiKey;
}
