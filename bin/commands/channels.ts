/**
 * `oracle channels [--epochs N]`: per channel, the shard trees it used in the last N built
 * epochs (default 24) beside its token group's cap, and the participants beyond the cap. A
 * channel at its cap, or with overflow, needs a higher TOKEN_GROUP_MAX_SHARDS (README:
 * "Participants beyond the shard cap").
 *
 * `oracle channels list|set|clear`: the operator's channel configuration (token group, category
 * override, blocklist) without SQL, written to DATABASE_URL directly and audited as
 * `cli:<os user>@<host>`. The same checks as `PUT /admin/channels/{channel}`: a Twitch login, a
 * declared token group (MILO, CLS, OTHER and those in TOKEN_GROUP_MINTS), a known category.
 */
import { parseArgs } from 'node:util';
import { createPlatform } from '../../functions/platform.ts';
import { loadConfig } from '../../layers/shared/src/config.ts';
import { CATEGORIES, type Category } from '../../layers/shared/src/core/attention/category.ts';
import { isOracleError, ValidationError } from '../../layers/shared/src/errors.ts';
import { attentionSettings } from '../../layers/shared/src/services/attention/attention-settings.ts';
import {
  type ChannelChange,
  type ChannelSetting,
  clearChannelSetting,
  declaredTokenGroups,
  listChannelSettings,
  setChannelSetting,
} from '../../layers/shared/src/services/attention/channel-config.ts';
import { channelShardUsage } from '../../layers/shared/src/services/attention/shard-usage.ts';
import { cliActor } from '../../layers/shared/src/services/platform/admin-audit.ts';

export const summary =
  'channel configuration: token groups, category overrides, the blocklist (list, set, clear)';

const USAGE = `usage:
  oracle channels [--epochs N (1–720, default 24)]
  oracle channels list [--blocked | --not-blocked] [--token-group G] [--json]
  oracle channels set <channel> [--token-group G] [--category ${CATEGORIES.join('|')} | --no-category]
                                [--block | --unblock] [--reason text]
  oracle channels clear <channel>
`;

function line(s: ChannelSetting): string {
  return [
    s.channel.padEnd(26),
    s.tokenGroup.padEnd(8),
    (s.categoryOverride ?? '-').padEnd(9),
    s.blocked ? 'blocked' : '       ',
    s.tracked ? 'tracked' : '       ',
    s.reason ?? '',
  ].join('  ');
}

const CONFIGURATION = ['list', 'set', 'clear', 'help'];

export async function run(argv: string[]): Promise<number> {
  if (!CONFIGURATION.includes(argv[0] ?? '')) return shardUsage(argv);
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    process.stderr.write(`oracle channels: ${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [subcommand, channel] = positionals;
  const platform = createPlatform(loadConfig(process.env));
  try {
    const declaredGroups = declaredTokenGroups(platform.config.TOKEN_GROUP_MINTS);
    switch (subcommand) {
      case 'list': {
        const { sql } = await platform.database();
        const blocked = values.blocked === true ? true : values['not-blocked'] === true ? false : undefined;
        const settings = await listChannelSettings(sql, {
          ...(blocked === undefined ? {} : { blocked }),
          ...(values['token-group'] === undefined ? {} : { tokenGroup: values['token-group'] }),
        });
        if (values.json === true) process.stdout.write(`${JSON.stringify(settings, null, 2)}\n`);
        else for (const setting of settings) process.stdout.write(`${line(setting)}\n`);
        return 0;
      }
      case 'set': {
        if (channel === undefined) throw new ValidationError('set needs a channel');
        const { sql } = await platform.database();
        const { before, after } = await setChannelSetting(sql, channel, change(values), {
          actor: cliActor(),
          declaredGroups,
        });
        process.stdout.write(`${before === null ? 'configured' : 'changed'}: ${line(after)}\n`);
        return 0;
      }
      case 'clear': {
        if (channel === undefined) throw new ValidationError('clear needs a channel');
        const { sql } = await platform.database();
        await clearChannelSetting(sql, channel, cliActor());
        process.stdout.write(
          `cleared ${channel.toLowerCase()}: OTHER, categorised by its game, not blocked\n`,
        );
        return 0;
      }
      default:
        process.stderr.write(USAGE);
        return subcommand === 'help' ? 0 : 2;
    }
  } catch (error) {
    if (isOracleError(error) && error.httpStatus < 500) {
      process.stderr.write(`oracle channels: ${error.message}\n`);
      return 2;
    }
    throw error;
  } finally {
    await platform.close();
  }
}

function change(values: ReturnType<typeof parse>['values']): ChannelChange {
  if (values.block === true && values.unblock === true)
    throw new ValidationError('--block and --unblock both given');
  if (values.category !== undefined && values['no-category'] === true)
    throw new ValidationError('--category and --no-category both given');
  const category = values.category;
  if (category !== undefined && !CATEGORIES.includes(category as Category))
    throw new ValidationError(`--category must be one of ${CATEGORIES.join(', ')}, got ${category}`);
  return {
    ...(values['token-group'] === undefined ? {} : { tokenGroup: values['token-group'] }),
    ...(category === undefined ? {} : { categoryOverride: category as Category }),
    ...(values['no-category'] === true ? { categoryOverride: null } : {}),
    ...(values.block === true ? { blocked: true } : {}),
    ...(values.unblock === true ? { blocked: false } : {}),
    ...(values.reason === undefined ? {} : { reason: values.reason }),
  };
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      'token-group': { type: 'string' },
      category: { type: 'string' },
      'no-category': { type: 'boolean' },
      block: { type: 'boolean' },
      unblock: { type: 'boolean' },
      reason: { type: 'string' },
      blocked: { type: 'boolean' },
      'not-blocked': { type: 'boolean' },
      json: { type: 'boolean' },
    },
  });
}

async function shardUsage(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { epochs: { type: 'string', default: '24' } } });
  const epochs = Number(values.epochs);
  if (!Number.isInteger(epochs) || epochs < 1 || epochs > 24 * 30) {
    process.stderr.write(USAGE);
    return 2;
  }
  const platform = createPlatform(loadConfig(process.env));
  try {
    const { sql } = await platform.database();
    const usage = await channelShardUsage(sql, attentionSettings(platform.config), { epochs });
    process.stdout.write(`${JSON.stringify(usage, null, 2)}\n`);
    return 0;
  } finally {
    await platform.close();
  }
}
