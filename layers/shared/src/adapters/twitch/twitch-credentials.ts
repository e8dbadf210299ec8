import { z } from 'zod';
import { ConfigError } from '../../errors.ts';
import type { SecretStore } from '../../ports/secret-store.ts';
import { parseSecret } from '../../secret-value.ts';

export interface TwitchCredentials {
  readonly clientId: string;
  readonly clientSecret: string;
}

/**
 * The Twitch app credentials secret: JSON `{"clientId": "...", "clientSecret": "..."}`
 * (`client_id` / `client_secret` accepted too, as Twitch's console names them).
 */
export async function loadTwitchCredentials(
  store: SecretStore,
  secretId: string,
): Promise<TwitchCredentials> {
  const parsed = parseSecret(
    await store.getSecret(secretId),
    z.record(z.string(), z.unknown()),
    'the Twitch credentials secret',
  );
  const clientId = parsed['clientId'] ?? parsed['client_id'];
  const clientSecret = parsed['clientSecret'] ?? parsed['client_secret'];
  if (
    typeof clientId !== 'string' ||
    typeof clientSecret !== 'string' ||
    clientId === '' ||
    clientSecret === ''
  ) {
    throw new ConfigError('the Twitch credentials secret needs clientId and clientSecret');
  }
  return { clientId, clientSecret };
}
