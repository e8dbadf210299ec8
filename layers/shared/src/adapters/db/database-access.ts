/**
 * How a process finds its database, in one place for the Lambdas, the IRC worker and Migrate:
 * DATABASE_URL as given (the local runtime, tests, an operator's shell), or on AWS the endpoint in
 * DB_HOST, logging in either as the function's role DB_USER with an IAM auth token (functions and
 * the IRC worker through RDS Proxy) or with the RDS-generated owner secret in DB_SECRET_ARN
 * (Migrate, on the cluster endpoint), over TLS that verifies the certificate and the host name
 * (against DATABASE_CA_FILE when set).
 */
import { readFileSync } from 'node:fs';
import { Signer } from '@aws-sdk/rds-signer';
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
  | 'DB_USER'
  | 'AWS_REGION'
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
  if (settings.DB_HOST === undefined) {
    throw new ConfigError('DATABASE_URL (or DB_HOST with DB_USER or DB_SECRET_ARN) is required');
  }
  const base = { max, ...timeout, ...tls, viaProxy: settings.DB_VIA_PROXY };
  if (settings.DB_USER !== undefined) {
    // The token names the host connected to: the read-only endpoint where the function has one.
    const signer = iamTokenSigner(hostOf(settings), settings.DB_PORT, settings.DB_USER, settings.AWS_REGION);
    return {
      url: databaseUrl(settings, settings.DB_USER),
      options: { ...base, password: () => signer.getAuthToken() },
    };
  }
  if (settings.DB_SECRET_ARN === undefined) {
    throw new ConfigError('DATABASE_URL (or DB_HOST with DB_USER or DB_SECRET_ARN) is required');
  }
  const credentials = parseDatabaseSecret(await secrets.getSecret(settings.DB_SECRET_ARN));
  return { url: databaseUrl(settings, credentials.username, credentials.password), options: base };
}

/**
 * Signs IAM auth tokens for DB_USER at DB_HOST:DB_PORT with the process's own AWS credentials
 * (the function's execution role, which holds `rds-db:connect` for that user only).
 */
export function iamTokenSigner(hostname: string, port: number, username: string, region: string): Signer {
  return new Signer({ hostname, port, username, region });
}

/** A function that only reads is given the proxy's read-only endpoint where the cluster has readers. */
function hostOf(settings: DatabaseSettings): string {
  return settings.DB_READER_HOST ?? settings.DB_HOST ?? 'localhost';
}

function databaseUrl(settings: DatabaseSettings, username: string, password?: string): string {
  const url = new URL('postgres://localhost');
  url.username = encodeURIComponent(username);
  if (password !== undefined) url.password = encodeURIComponent(password);
  url.hostname = hostOf(settings);
  url.port = String(settings.DB_PORT);
  url.pathname = `/${settings.DB_NAME}`;
  return url.toString();
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
