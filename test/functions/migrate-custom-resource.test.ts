import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

const runMigrations = vi.fn(async () => ({ applied: 2, total: 5 }));
vi.mock('../../layers/shared/src/adapters/db/migrate.ts', () => ({ runMigrations }));
const sent: unknown[] = [];
vi.mock('@aws-sdk/client-secrets-manager', async (importOriginal) => {
  const original = await importOriginal<typeof import('@aws-sdk/client-secrets-manager')>();
  class FakeClient {
    async send(command: unknown) {
      sent.push(command);
      return { SecretString: JSON.stringify({ username: 'oracle_admin', password: 'p@ss/w:rd?#' }) };
    }
  }
  return { ...original, SecretsManagerClient: FakeClient };
});

const { localContext } = await import('../../functions/handlers.ts');
const { migrationConnection, handler } = await import('../../functions/custom-resource/migrate/index.ts');
const CA_FILE = fileURLToPath(
  new URL('../../functions/custom-resource/migrate/rds-ca-bundle.pem', import.meta.url),
);

function makeEvent(requestType: 'Create' | 'Update' | 'Delete'): CloudFormationCustomResourceEvent {
  const base = {
    ServiceToken: 'arn:aws:lambda:us-east-1:123456789012:function:provider',
    ResponseURL: 'https://example.invalid/response',
    StackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/data/1',
    RequestId: 'request-1',
    LogicalResourceId: 'Migrations',
    ResourceType: 'Custom::DatabaseMigrations',
    ResourceProperties: { ServiceToken: 'token', MigrationsHash: 'abc' },
  };
  if (requestType === 'Create') return { ...base, RequestType: 'Create' };
  if (requestType === 'Update') {
    return {
      ...base,
      RequestType: 'Update',
      PhysicalResourceId: 'database-migrations',
      OldResourceProperties: { ServiceToken: 'token' },
    };
  }
  return { ...base, RequestType: 'Delete', PhysicalResourceId: 'database-migrations' };
}

const env = {
  DB_HOST: 'proxy.example.internal',
  DB_PORT: '5432',
  DB_NAME: 'oracle',
  DB_SECRET_ARN: 'arn:secret',
  DB_VIA_PROXY: 'false',
  DATABASE_CA_FILE: CA_FILE,
};

beforeEach(() => {
  runMigrations.mockClear();
  sent.length = 0;
  for (const [k, v] of Object.entries(env)) vi.stubEnv(k, v);
});
afterEach(() => {
  vi.unstubAllEnvs();
});

describe('migrations custom resource', () => {
  it('builds the database URL from the secret, escaping the password, verifying TLS against the shipped RDS CAs', async () => {
    const connection = await migrationConnection();
    const url = new URL(connection.url);
    expect(url.hostname).toBe('proxy.example.internal');
    expect(url.port).toBe('5432');
    expect(url.pathname).toBe('/oracle');
    expect(decodeURIComponent(url.username)).toBe('oracle_admin');
    expect(decodeURIComponent(url.password)).toBe('p@ss/w:rd?#');
    expect(connection.options.tls?.ca).toBe(readFileSync(CA_FILE, 'utf8'));
    expect(new X509Certificate(connection.options.tls?.ca ?? '').subject).toContain('OU=Amazon RDS');
    expect(connection.options.viaProxy).toBe(false);
  });

  it('runs the shared migrator on create and on update', async () => {
    for (const type of ['Create', 'Update'] as const) {
      const response = await handler(makeEvent(type), localContext());
      expect(response).toEqual({ PhysicalResourceId: 'database-migrations', Data: { Applied: 2, Total: 5 } });
    }
    expect(runMigrations).toHaveBeenCalledTimes(2);
  });

  it('leaves the schema alone on delete', async () => {
    const response = await handler(makeEvent('Delete'), localContext());
    expect(response).toEqual({ PhysicalResourceId: 'database-migrations' });
    expect(runMigrations).not.toHaveBeenCalled();
    expect(sent).toEqual([]);
  });

  it('fails naming the missing variable when the database settings are absent', async () => {
    vi.stubEnv('ORACLE_MODE', 'production');
    vi.stubEnv('DB_HOST', '');
    await expect(migrationConnection({} as SecretsManagerClient)).rejects.toThrow(
      /DB_HOST: required in production/,
    );
    expect(sent).toEqual([]);
  });
});
