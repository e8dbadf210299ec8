/** The configuration a function requires, checked: what the handler factories narrow it to. */
import { type Config, type ConfigName, configVariables } from '../layers/shared/src/config.ts';
import { ConfigError } from '../layers/shared/src/errors.ts';

/**
 * The configuration with `K` checked present (`requireConfig`). DATABASE_URL stays optional: on
 * AWS the database is reached through DB_HOST as the function's role instead, which
 * `Platform.database()` resolves.
 */
export type RequiredConfig<K extends ConfigName> = Config & {
  readonly [P in Exclude<K, 'DATABASE_URL'>]-?: NonNullable<Config[P]>;
};

/** Checks that every name in `keys` has a value, and says so in the type. */
export function requireConfig<K extends ConfigName>(config: Config, keys: readonly K[]): RequiredConfig<K> {
  const missing = keys.filter((key) => key !== 'DATABASE_URL' && config[key] === undefined);
  if (missing.length > 0)
    throw new ConfigError(`${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} required`);
  return config as RequiredConfig<K>;
}

/** Whether `name` is a platform setting (config.ts) rather than a market one (market-config.ts). */
export function isPlatformSetting(name: string): name is ConfigName {
  return name in configVariables;
}
