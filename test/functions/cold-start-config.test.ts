import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function coldStart(module: string, env: Record<string, string>) {
  const clean: Record<string, string> = {
    PATH: process.env['PATH'] ?? '',
    HOME: process.env['HOME'] ?? '/tmp',
  };
  return spawnSync(process.execPath, ['--import', 'tsx', '-e', `await import('./${module}')`], {
    cwd: ROOT,
    env: { ...clean, ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
}

describe('a function cold start in production', () => {
  it('fails naming the missing variable', () => {
    const result = coldStart('functions/queue/ingest-writer/index.ts', {
      ORACLE_MODE: 'production',
      AWS_REGION: 'eu-west-1',
    });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('DATABASE_URL: required in production, but not set');
  });

  it('fails naming a malformed variable and what was expected', () => {
    const result = coldStart('functions/api/ingest/index.ts', {
      ORACLE_MODE: 'production',
      AWS_REGION: 'eu-west-1',
      INGEST_QUEUE_URL: 'ingest',
      RATE_LIMIT_TABLE: 'limits',
    });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('INGEST_QUEUE_URL: Invalid url (got "ingest")');
  });

  it('fails the publisher without PUBLISH_MODE: a deployment never publishes memos by default', () => {
    const result = coldStart('functions/queue/publisher/index.ts', {
      ORACLE_MODE: 'production',
      AWS_REGION: 'eu-west-1',
      DATABASE_URL: 'postgres://user:pw@127.0.0.1:1/none',
      SOLANA_RPC_URL: 'https://solana-rpc.example.com',
      SOLANA_PUBLISHER_SECRET_ARN: 'publisher',
      PUBLISH_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/000000000000/publish.fifo',
    });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('PUBLISH_MODE: required in production, but not set');
  });

  it('starts when everything it requires is set', () => {
    const result = coldStart('functions/queue/ingest-writer/index.ts', {
      ORACLE_MODE: 'production',
      AWS_REGION: 'eu-west-1',
      DATABASE_URL: 'postgres://user:pw@127.0.0.1:1/none',
    });
    expect(result.stderr).not.toContain('invalid configuration');
    expect(result.status).toBe(0);
  });

  it('starts the OpenAPI document function with no settings: it reads nothing but its own code', () => {
    const result = coldStart('functions/api/openapi/index.ts', {
      ORACLE_MODE: 'production',
      AWS_REGION: 'eu-west-1',
    });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });
});
