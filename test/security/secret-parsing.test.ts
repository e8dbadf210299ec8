/**
 * L1 (issue 17): a secret that does not parse must never show itself. Node's JSON.parse quotes
 * the text around a syntax error, so every place that reads a secret is handed a malformed one
 * holding a recognisable fragment, read through the Secrets Manager API where it reads from
 * there; neither what it throws (message, stack, causes) nor anything it logs may hold the
 * fragment.
 */
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { inspect } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Platform } from '../../functions/platform.ts';
import { platformFromEnv } from '../fixtures/platform.ts';
import { type SecretsManagerFixture, startSecretsManager } from '../fixtures/secrets-manager.ts';

let sm: SecretsManagerFixture;

beforeAll(async () => {
  sm = await startSecretsManager();
  delete process.env['DATABASE_URL'];
  Object.assign(process.env, {
    ORACLE_MODE: 'local',
    LOG_LEVEL: 'DEBUG',
    // The IRC worker's client takes the default credential chain; the stand-in checks no signature.
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    SECRETS_ENDPOINT: sm.endpoint,
    INGEST_API_KEYS_SECRET_ARN: 'leak/ingest',
    ADMIN_TOKENS_SECRET_ARN: 'leak/admin',
    DB_SECRET_ARN: 'leak/database',
    DB_HOST: 'proxy.example.internal',
    DB_PORT: '5432',
    DB_NAME: 'oracle',
  });
});

/** Platforms a test built, closed after it. */
const platforms: Platform[] = [];
const testPlatform = (): Platform => {
  const platform = platformFromEnv();
  platforms.push(platform);
  return platform;
};

afterEach(async () => {
  for (const platform of platforms.splice(0)) await platform.close();
});

afterAll(async () => {
  await sm.stop();
});

/** A value that cannot be JSON, with a fragment short enough for V8 to quote whole: it stands where parsing fails. */
function malformed(shape: (fragment: string) => string): { fragment: string; text: string } {
  const fragment = `zq${randomBytes(3).toString('hex')}`;
  return { fragment, text: shape(fragment) };
}

/** Everything `run` throws and logs, as one text: the error with its stack and causes, and stdout/stderr. */
async function exposure(run: () => unknown): Promise<{ thrown: boolean; text: string }> {
  const written: string[] = [];
  const capture = (stream: NodeJS.WriteStream) => {
    const original = stream.write.bind(stream);
    stream.write = ((chunk: unknown, ...rest: unknown[]) => {
      written.push(String(chunk));
      return (original as (...args: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof stream.write;
    return () => {
      stream.write = original;
    };
  };
  const restoreOut = capture(process.stdout);
  const restoreErr = capture(process.stderr);
  let error: unknown;
  let thrown = false;
  try {
    await run();
  } catch (caught) {
    thrown = true;
    error = caught;
  } finally {
    restoreOut();
    restoreErr();
  }
  const seen: string[] = [...written];
  for (let e: unknown = error, depth = 0; e !== undefined && depth < 5; depth++) {
    seen.push(inspect(e, { depth: 5 }), String((e as Error)?.stack), JSON.stringify(e) ?? '');
    e = (e as { cause?: unknown } | null)?.cause;
  }
  return { thrown, text: seen.join('\n') };
}

/** The secret was refused (something was thrown) and the fragment is nowhere in what came out. */
function expectRefusedUnseen(seen: { thrown: boolean; text: string }, fragment: string): void {
  expect(seen.thrown).toBe(true);
  expect(seen.text).not.toContain(fragment);
}

describe('a malformed secret never appears in an error or a log', () => {
  it('the authorizer refuses to run on a malformed ingest key secret without quoting it', async () => {
    const { fragment, text } = malformed((f) => `{"primary":"ingest-key-1","partner":${f}}`);
    sm.put('leak/ingest', text);
    const { handler } = await import('../../functions/api/authorizer/index.ts');
    const seen = await exposure(() =>
      handler.on(platformFromEnv())({
        type: 'REQUEST',
        routeKey: 'POST /ingest',
        headers: { 'x-api-key': 'ingest-key-1' },
      } as never),
    );
    expectRefusedUnseen(seen, fragment);
  });

  it('the database connection refuses a malformed credentials secret without quoting it', async () => {
    const { fragment, text } = malformed((f) => `{"username":"oracle","password":${f}}`);
    sm.put('leak/database', text);
    const seen = await exposure(() => testPlatform().database());
    expectRefusedUnseen(seen, fragment);
    expect(seen.text).toContain('the database secret is not JSON');
  });

  it('the IRC worker refuses a malformed Twitch secret without quoting it', async () => {
    const { fragment, text } = malformed((f) => `{"ircNick":"oracle_bot","ircToken":${f}}`);
    sm.put('leak/twitch-irc', text);
    const { loadConfig } = await import('../../layers/shared/src/config.ts');
    const { SecretsManagerStore } = await import(
      '../../layers/shared/src/adapters/aws/secrets-manager-store.ts'
    );
    const { ircIdentity } = await import('../../functions/worker/irc/index.ts');
    const config = loadConfig({ ...process.env, TWITCH_SECRET_ARN: 'leak/twitch-irc' });
    const seen = await exposure(() => ircIdentity(config, new SecretsManagerStore(sm.client())));
    expectRefusedUnseen(seen, fragment);
    expect(seen.text).toContain('the Twitch secret is not JSON');
  });

  it('the migrations custom resource refuses a malformed database secret without quoting it', async () => {
    const { fragment, text } = malformed((f) => `{"username":"oracle_admin","password":${f}}`);
    sm.put('leak/database', text);
    const { migrationConnection } = await import('../../functions/custom-resource/migrate/index.ts');
    // Migrate verifies the cluster's certificate against the bundle it ships.
    process.env['DATABASE_CA_FILE'] = fileURLToPath(
      new URL('../../functions/custom-resource/migrate/rds-ca-bundle.pem', import.meta.url),
    );
    try {
      const seen = await exposure(() => migrationConnection(sm.client()));
      expectRefusedUnseen(seen, fragment);
      expect(seen.text).toContain('the database secret is not JSON');
    } finally {
      delete process.env['DATABASE_CA_FILE'];
    }
  });

  it('the EVM signer refuses a malformed key secret without quoting it', async () => {
    const { fragment, text } = malformed((f) => `{"privateKey":${f}}`);
    const { privateKeyFromSecret } = await import(
      '../../layers/shared/src/adapters/aws/secrets-manager-store.ts'
    );
    const seen = await exposure(() => privateKeyFromSecret(text));
    expectRefusedUnseen(seen, fragment);
  });

  it('the Twitch credentials refuse a malformed secret without quoting it', async () => {
    const { fragment, text } = malformed((f) => `{"clientId":"app","clientSecret":${f}}`);
    sm.put('leak/twitch', text);
    const { SecretsManagerStore } = await import(
      '../../layers/shared/src/adapters/aws/secrets-manager-store.ts'
    );
    const { loadTwitchCredentials } = await import(
      '../../layers/shared/src/adapters/twitch/twitch-credentials.ts'
    );
    const seen = await exposure(() =>
      loadTwitchCredentials(new SecretsManagerStore(sm.client()), 'leak/twitch'),
    );
    expectRefusedUnseen(seen, fragment);
  });

  it('the web push and AIR secrets are refused without quoting them', async () => {
    const { vapidKeysFromSecret } = await import('../../layers/shared/src/adapters/web-push-channel.ts');
    const { airApiKeyFromSecret } = await import('../../layers/shared/src/adapters/air/air-api-key.ts');
    for (const read of [vapidKeysFromSecret, airApiKeyFromSecret]) {
      const { fragment, text } = malformed((f) => `{"privateKey":"k","apiKey":${f}}`);
      const seen = await exposure(() => read(text));
      expectRefusedUnseen(seen, fragment);
    }
  });

  it('a well-formed secret of the wrong shape is refused naming the field, never its value', async () => {
    const { parseDatabaseSecret } = await import('../../layers/shared/src/adapters/db/database-secret.ts');
    const fragment = `zq${randomBytes(3).toString('hex')}`;
    const seen = await exposure(() =>
      parseDatabaseSecret(JSON.stringify({ username: 7, password: fragment })),
    );
    expect(seen.thrown).toBe(true);
    expect(seen.text).toContain('the database secret: username must be a string');
    expect(seen.text).not.toContain(fragment);
  });

  it('the Solana publisher refuses a malformed keypair secret without quoting it', async () => {
    const { fragment, text } = malformed((f) => `{"secretKey":${f}}`);
    const { parseSecretKey } = await import('../../layers/shared/src/adapters/solana/keypair-signer.ts');
    const seen = await exposure(() => parseSecretKey(text));
    expectRefusedUnseen(seen, fragment);
  });
});
