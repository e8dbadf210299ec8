/**
 * `oracle channels [--epochs N]`: per channel, the shard trees it used in the last N built
 * epochs (default 24) beside its token group's cap, and the participants beyond the cap. A
 * channel at its cap, or with overflow, needs a higher TOKEN_GROUP_MAX_SHARDS (README:
 * "Participants beyond the shard cap").
 */
import { parseArgs } from 'node:util';
import { database, resetDependencies } from '../../functions/dependencies.ts';
import { config } from '../../layers/shared/src/config.ts';
import { attentionSettings } from '../../layers/shared/src/services/attention-settings.ts';
import { channelShardUsage } from '../../layers/shared/src/services/shard-usage.ts';

export const summary = 'show per channel the shard trees used in the last epochs, its cap and its overflow';

export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { epochs: { type: 'string', default: '24' } } });
  const epochs = Number(values.epochs);
  if (!Number.isInteger(epochs) || epochs < 1 || epochs > 24 * 30) {
    process.stderr.write('usage: oracle channels [--epochs N (1–720, default 24)]\n');
    return 2;
  }
  try {
    const { sql } = await database();
    const usage = await channelShardUsage(sql, attentionSettings(config()), { epochs });
    process.stdout.write(`${JSON.stringify(usage, null, 2)}\n`);
    return 0;
  } finally {
    await resetDependencies();
  }
}
