/**
 * How a process finds its database, in one place for the Lambdas, the IRC worker and Migrate:
 * DATABASE_URL as given (the local runtime, tests, an operator's shell), or on AWS the endpoint in
 * DB_HOST with the credentials from the RDS-generated secret in DB_SECRET_ARN, over TLS that
 * verifies the certificate and the host name (against DATABASE_CA_FILE when set).
 */
import { readFileSync } from 'node:fs';
import type { Config } from '../../config.ts';
import { ConfigError } from '../../errors.ts';
import type { SecretStore } from '../../ports/secret-store.ts';
import { createDb, type DbHandle, type DbOptions } from './client.ts';
import { parseDatabaseSecret } from './database-secret.ts';

export type DatabaseSettings = Pick<
  Config,
  | 'DATABASE_URL'
  | 'DB_HOST'
  | 'DB_READER_HOST'
  | 'DB_PORT'
  | 'DB_NAME'
  | 'DB_SECRET_ARN'
  | 'DB_VIA_PROXY'
  | 'DATABASE_CA_FILE'
  | 'DATABASE_STATEMENT_TIMEOUT_MS'
  | 'DATABASE_POOL_MAX'
>;

export interface DatabaseConnection {
  readonly url: string;
  readonly options: DbOptions;
}

export async function databaseConnection(
  settings: DatabaseSettings,
  secrets: SecretStore,
): Promise<DatabaseConnection> {
  const timeout =
    settings.DATABASE_STATEMENT_TIMEOUT_MS === undefined
      ? {}
      : { statementTimeoutMs: settings.DATABASE_STATEMENT_TIMEOUT_MS };
  const tls = {
    tls: settings.DATABASE_CA_FILE === undefined ? {} : { ca: readCa(settings.DATABASE_CA_FILE) },
  };
  const max = settings.DATABASE_POOL_MAX;
  if (settings.DATABASE_URL !== undefined) {
    return {
      url: settings.DATABASE_URL,
      options: { max, ...timeout, ...(settings.DATABASE_CA_FILE === undefined ? {} : tls) },
    };
  }
  if (settings.DB_HOST === undefined || settings.DB_SECRET_ARN === undefined) {
    throw new ConfigError('DATABASE_URL (or DB_HOST with DB_SECRET_ARN) is required');
  }
  const credentials = parseDatabaseSecret(await secrets.getSecret(settings.DB_SECRET_ARN));
  const url = new URL('postgres://localhost');
  url.username = encodeURIComponent(credentials.username);
  url.password = encodeURIComponent(credentials.password);
  // A function that only reads is given the proxy's read-only endpoint where the cluster has readers.
  url.hostname = settings.DB_READER_HOST ?? settings.DB_HOST;
  url.port = String(settings.DB_PORT);
  url.pathname = `/${settings.DB_NAME}`;
  return { url: url.toString(), options: { max, ...timeout, ...tls, viaProxy: settings.DB_VIA_PROXY } };
}

export async function openDatabase(settings: DatabaseSettings, secrets: SecretStore): Promise<DbHandle> {
  const { url, options } = await databaseConnection(settings, secrets);
  return createDb(url, options);
}

function readCa(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`DATABASE_CA_FILE: cannot read ${path}: ${(error as Error).message}`);
  }
}
