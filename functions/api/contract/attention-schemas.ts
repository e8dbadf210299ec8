/** Path parameters and schemas that more than one group of the attention routes uses. */
import { parseChannel, parseEpoch } from '../../../layers/shared/src/services/attention/claims.ts';
import { userHashOf } from '../../../layers/shared/src/services/attention/wallet-binding.ts';
import { isoTime, parsedBy } from './route-contract.ts';
import { z } from './zod.ts';

export const epoch = parsedBy(parseEpoch).openapi({
  description: "Unix time in seconds of the epoch's hour (a multiple of 3600)",
  pattern: '^[0-9]{1,12}$',
  example: '1750003200',
});
export const channel = parsedBy(parseChannel).openapi({
  description:
    "A Twitch login, or a pseudo-channel `category:<category>:<group>` or `carry:<group>` (colons plain or percent-encoded), any case; a channel or category tree past one tree's capacity continues in shards `<name>~2`, `<name>~3`, … (`~` plain or `%7E`)",
  example: 'music_chan',
});
export const user = parsedBy(userHashOf).openapi({
  description: 'A Twitch login, or its user_hash (keccak256 of the lowercase login, 64 hex characters)',
  example: 'alice_1',
});

// No username: it would turn the user_hash published on chain back into a Twitch login.
export const walletBinding = z
  .object({
    userHash: z.string(),
    wallet: z.string().openapi({ description: 'Solana public key, base58' }),
    boundAt: isoTime,
  })
  .openapi('WalletBinding');
