/**
 * The AIR API key as the AirApiKey secret holds it: `{"apiKey":"..."}` (README.md, "Before the
 * first deploy"). The secret's whole JSON value as a header is refused by AIR on every call.
 */
import { z } from 'zod';
import { parseSecret } from '../../secret-value.ts';

const airSecret = z.object({ apiKey: z.string().min(1) });

export function airApiKeyFromSecret(text: string): string {
  return parseSecret(text, airSecret, 'the AIR API key secret', '{"apiKey":"..."}').apiKey;
}
