/**
 * Connections as on AWS: to a TLS-only PostgreSQL (the stand-in for RDS Proxy and the cluster),
 * credentials from an RDS-shaped secret, the certificate and host name verified, and statements
 * cancelled at the function's statement_timeout.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StaticSecretStore } from '../../layers/shared/src/adapters/aws/secrets-manager-store.ts';
import {
  type DatabaseSettings,
  databaseConnection,
  openDatabase,
} from '../../layers/shared/src/adapters/db/database-access.ts';
import { type EmbeddedPostgresHandle, startEmbeddedPostgres } from '../../local/embedded-postgres.ts';
import {
  createCertificateAuthority,
  issueServerCertificate,
  type ServerCertificate,
} from '../../local/tls-certificates.ts';
import { type DatabaseProxy, startDatabaseProxy } from '../deployment/database-proxy.ts';

let pg: EmbeddedPostgresHandle;
let dir: string;
let trustedCa: string;
let otherCa: string;
let serverCertificate: ServerCertificate;
const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:000000000000:secret:database';
let secrets: StaticSecretStore;

beforeAll(async () => {
  const [ca, stranger] = await Promise.all([
    createCertificateAuthority(),
    createCertificateAuthority('Stranger CA'),
  ]);
  const server = await issueServerCertificate(ca, ['localhost']);
  serverCertificate = server;
  pg = await startEmbeddedPostgres({ tls: server });
  dir = mkdtempSync(join(tmpdir(), 'eo-ca-'));
  trustedCa = join(dir, 'trusted.pem');
  otherCa = join(dir, 'other.pem');
  writeFileSync(trustedCa, ca.certificate);
  writeFileSync(otherCa, stranger.certificate);
  const url = new URL(pg.url);
  // The shape RDS generates for a cluster's credentials.
  secrets = new StaticSecretStore({
    [SECRET_ARN]: JSON.stringify({
      engine: 'postgres',
      host: 'cluster.example.internal',
      port: pg.port,
      dbname: 'postgres',
      username: decodeURIComponent(url.username),
      password: decodeURIComponent(url.password),
    }),
  });
});

afterAll(async () => {
  await pg?.stop();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

function settings(overrides: Partial<DatabaseSettings> = {}): DatabaseSettings {
  return {
    DATABASE_URL: undefined,
    DB_HOST: 'localhost',
    DB_READER_HOST: undefined,
    DB_PORT: pg.port,
    DB_NAME: 'postgres',
    DB_SECRET_ARN: SECRET_ARN,
    DB_VIA_PROXY: true,
    DATABASE_CA_FILE: trustedCa,
    DATABASE_STATEMENT_TIMEOUT_MS: undefined,
    DATABASE_POOL_MAX: 2,
    DB_USER: undefined,
    AWS_REGION: 'eu-west-1',
    ...overrides,
  };
}

async function query<T>(
  s: DatabaseSettings,
  run: (sql: Awaited<ReturnType<typeof openDatabase>>['sql']) => Promise<T>,
) {
  const handle = await openDatabase(s, secrets);
  try {
    return await run(handle.sql);
  } finally {
    await handle.close();
  }
}

describe('a database connection on AWS (DB_HOST and the RDS secret)', () => {
  it('connects over TLS once the certificate chains to DATABASE_CA_FILE and names the host', async () => {
    const rows = await query(
      settings(),
      (sql) => sql<{ ssl: boolean }[]>`
      select ssl from pg_stat_ssl where pid = pg_backend_pid()`,
    );
    expect(rows).toEqual([{ ssl: true }]);
  });

  it('refuses a server whose certificate no trusted CA signed', async () => {
    await expect(query(settings({ DATABASE_CA_FILE: otherCa }), (sql) => sql`select 1`)).rejects.toThrow(
      /self[- ]signed|unable to (verify|get local issuer)/i,
    );
  });

  it("refuses it against Node's own trust store, where no test CA is", async () => {
    await expect(query(settings({ DATABASE_CA_FILE: undefined }), (sql) => sql`select 1`)).rejects.toThrow(
      /self[- ]signed|unable to (verify|get local issuer)/i,
    );
  });

  it('connects a function that only reads to DB_READER_HOST, not to DB_HOST', async () => {
    const reader = settings({ DB_HOST: 'writer.invalid', DB_READER_HOST: 'localhost' });
    expect(await query(reader, (sql) => sql<{ one: number }[]>`select 1 as one`)).toEqual([{ one: 1 }]);
    await expect(query(settings({ DB_HOST: 'writer.invalid' }), (sql) => sql`select 1`)).rejects.toThrow(
      /ENOTFOUND|EAI_AGAIN|getaddrinfo/,
    );
  });

  it('refuses a certificate that does not name the host connected to', async () => {
    await expect(query(settings({ DB_HOST: '127.0.0.1' }), (sql) => sql`select 1`)).rejects.toThrow(
      /altnames|does not match/i,
    );
  });

  it('never reads the password into an error when the secret is malformed', async () => {
    const broken = new StaticSecretStore({ [SECRET_ARN]: '{"username":"oracle","password":' });
    await expect(openDatabase(settings(), broken)).rejects.toThrow(
      /^the database secret is not JSON; expected/,
    );
  });
});

describe('a database connection as the function role (DB_USER, end-to-end IAM through RDS Proxy)', () => {
  const credentials = {
    AWS_ACCESS_KEY_ID: `AKIA${randomBytes(8).toString('hex').toUpperCase()}`,
    AWS_SECRET_ACCESS_KEY: randomBytes(20).toString('base64'),
  };
  const saved: Record<string, string | undefined> = {};
  beforeAll(() => {
    for (const [name, value] of Object.entries(credentials)) {
      saved[name] = process.env[name];
      process.env[name] = value;
    }
  });
  afterAll(() => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  it('signs an IAM auth token for DB_USER at DB_HOST:DB_PORT in AWS_REGION, never reading the owner secret', async () => {
    const { url, options } = await databaseConnection(
      settings({ DB_USER: 'oracle_market_reader', DB_HOST: 'proxy.example.internal', DB_PORT: 5433 }),
      new StaticSecretStore({}),
    );
    const parsed = new URL(url);
    expect(decodeURIComponent(parsed.username)).toBe('oracle_market_reader');
    expect(parsed.password).toBe('');
    expect(parsed.host).toBe('proxy.example.internal:5433');
    expect(options.tls?.ca).toContain('BEGIN CERTIFICATE');
    const token = await options.password?.();
    if (token === undefined) throw new Error('no password function');
    const signed = new URL(`https://${token}`);
    expect(signed.host).toBe('proxy.example.internal:5433');
    expect(signed.searchParams.get('Action')).toBe('connect');
    expect(signed.searchParams.get('DBUser')).toBe('oracle_market_reader');
    expect(signed.searchParams.get('X-Amz-Credential')).toMatch(
      new RegExp(`^${credentials.AWS_ACCESS_KEY_ID}/\\d{8}/eu-west-1/rds-db/aws4_request$`),
    );
    expect(signed.searchParams.get('X-Amz-Expires')).toBe('900');
    expect(signed.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
  });

  it('hands postgres.js the token as the password of each new connection, as DB_USER, over verified TLS', async () => {
    // The stand-in PostgreSQL does not know IAM: the refusal names the role the token was sent for.
    await expect(
      query(settings({ DB_USER: 'oracle_health', DB_SECRET_ARN: undefined }), (sql) => sql`select 1`),
    ).rejects.toThrow(
      /password authentication failed for user "oracle_health"|role "oracle_health" does not exist/,
    );
    await expect(
      query(
        settings({ DB_USER: 'oracle_health', DB_SECRET_ARN: undefined, DATABASE_CA_FILE: otherCa }),
        (sql) => sql`select 1`,
      ),
    ).rejects.toThrow(/self[- ]signed|unable to (verify|get local issuer)/i);
  });
});

describe('the deployment check’s RDS Proxy stand-in (IAM tokens for the function roles)', () => {
  const credentials = {
    AWS_ACCESS_KEY_ID: `AKIA${randomBytes(8).toString('hex').toUpperCase()}`,
    AWS_SECRET_ACCESS_KEY: randomBytes(20).toString('base64'),
  };
  const saved: Record<string, string | undefined> = {};
  let proxy: DatabaseProxy;
  const setCredentials = (values: Record<string, string>) => {
    for (const [name, value] of Object.entries(values)) process.env[name] = value;
  };
  beforeAll(async () => {
    for (const name of [...Object.keys(credentials), 'AWS_SESSION_TOKEN']) saved[name] = process.env[name];
    delete process.env['AWS_SESSION_TOKEN'];
    setCredentials(credentials);
    const ca = readFileSync(trustedCa, 'utf8');
    const adminUrl = pg.url.replace('127.0.0.1', 'localhost');
    const admin = postgres(adminUrl, { max: 1, onnotice: () => {}, ssl: { ca } });
    await admin.unsafe('create role oracle_health login');
    await admin.end();
    proxy = await startDatabaseProxy({
      host: 'localhost',
      tls: serverCertificate,
      upstream: { port: pg.port, ca },
      adminUrl,
      region: 'eu-west-1',
      credentials: {
        accessKeyId: credentials.AWS_ACCESS_KEY_ID,
        secretAccessKey: credentials.AWS_SECRET_ACCESS_KEY,
      },
    });
  });
  afterAll(async () => {
    await proxy?.close();
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });
  const asRole = (user: string) => settings({ DB_USER: user, DB_SECRET_ARN: undefined, DB_PORT: proxy.port });

  it('logs a function in as its DB_USER with the token it signed, over verified TLS', async () => {
    const rows = await query(
      asRole('oracle_health'),
      (sql) => sql<{ user: string }[]>`select current_user as user`,
    );
    expect(rows).toEqual([{ user: 'oracle_health' }]);
  });

  it('refuses a token signed with other credentials, naming why', async () => {
    setCredentials({ AWS_SECRET_ACCESS_KEY: randomBytes(20).toString('base64') });
    try {
      await expect(query(asRole('oracle_health'), (sql) => sql`select 1`)).rejects.toMatchObject({
        code: '28P01',
        message: expect.stringMatching(/signature does not verify/),
      });
    } finally {
      setCredentials(credentials);
    }
    expect(proxy.refusals.at(-1)).toBe('oracle_health: the signature does not verify');
  });

  it('never lets a token log in as a superuser (the owner)', async () => {
    const owner = decodeURIComponent(new URL(pg.url).username);
    await expect(query(asRole(owner), (sql) => sql`select 1`)).rejects.toMatchObject({ code: '28P01' });
  });

  it('passes any other password to PostgreSQL as given (Migrate with the owner secret)', async () => {
    const rows = await query(
      settings({ DB_PORT: proxy.port }),
      (sql) => sql<{ user: string }[]>`select current_user as user`,
    );
    expect(rows).toEqual([{ user: decodeURIComponent(new URL(pg.url).username) }]);
  });
});

describe('statement_timeout', () => {
  it('cancels a statement on a direct connection (Migrate, DATABASE_URL) past the timeout', async () => {
    const s = settings({ DB_VIA_PROXY: false, DATABASE_STATEMENT_TIMEOUT_MS: 300 });
    await query(s, async (sql) => {
      await expect(sql`select pg_sleep(3)`).rejects.toMatchObject({ code: '57014' });
      // Shorter statements on the same session still run.
      expect(await sql`select 1 as one`).toEqual([{ one: 1 }]);
    });
  });

  it('cancels a statement in a transaction through RDS Proxy past the timeout, and the transaction rolls back', async () => {
    const s = settings({ DATABASE_STATEMENT_TIMEOUT_MS: 300 });
    await query(s, async (sql) => {
      await sql`create table if not exists timeout_probe (id int)`;
      await expect(
        sql.begin(async (tx) => {
          await tx`insert into timeout_probe values (1)`;
          await tx`select pg_sleep(3)`;
        }),
      ).rejects.toMatchObject({ code: '57014' });
      expect(await sql`select count(*)::int as n from timeout_probe`).toEqual([{ n: 0 }]);
      // The setting was local to the transaction: the session itself carries none (nothing to pin).
      expect(await sql`select current_setting('statement_timeout') as t`).toEqual([{ t: '0' }]);
    });
  });
});
