import { randomBytes } from 'node:crypto';
import { hostname, userInfo } from 'node:os';
import bs58 from 'bs58';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeIngestBatch } from '../../layers/shared/src/services/attention/ingest-writer.ts';
import { bindWalletDirect } from '../../layers/shared/src/services/attention/wallet-binding.ts';
import { createTestDatabase, type TestDatabase } from '../fixtures/db.ts';
import { BASE_EPOCH_MS, HOUR_MS, makeEvent } from '../fixtures/events.ts';
import { runOracleCli } from '../fixtures/oracle-cli.ts';

const EPOCH = BASE_EPOCH_MS / 1000;

const oracle = runOracleCli;

describe('oracle epoch', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
    await writeIngestBatch(
      t.sql,
      [makeEvent({ user: 'alice_1' }), makeEvent({ user: 'bob_2' })],
      new Date(BASE_EPOCH_MS + 60_000),
    );
    await bindWalletDirect(t.sql, 'alice_1', bs58.encode(randomBytes(32)), new Date(BASE_EPOCH_MS));
  });
  afterAll(() => t.close());

  it('seals an epoch, prints its trees as JSON, and changes nothing the second time', async () => {
    const now = new Date(BASE_EPOCH_MS + HOUR_MS + 600_000).toISOString();
    const first = oracle(['epoch', 'seal', String(EPOCH), '--now', now], { DATABASE_URL: t.url });
    expect(first.stderr).toBe('');
    expect(first.status).toBe(0);
    const result = JSON.parse(first.stdout) as {
      seal: { sealed: unknown[] };
      trees: { trees: { channel: string; root: string | null }[] };
    };
    expect(result.seal.sealed).toEqual([
      expect.objectContaining({ channel: 'somechannel', participants: 2 }),
    ]);
    expect(result.trees.trees.find((tr) => tr.channel === 'somechannel')?.root).toMatch(/^0x[0-9a-f]{64}$/);
    // The CLI writes to the database directly: the audit log names the OS user and host.
    expect(
      await t.sql`select actor, action, target_id, before, after->'sealed' as sealed from creator.admin_audit_log`,
    ).toEqual([
      {
        actor: `cli:${userInfo().username}@${hostname()}`,
        action: 'epoch.seal',
        target_id: String(EPOCH),
        before: { sealedChannels: 0 },
        sealed: ['somechannel'],
      },
    ]);
    const again = oracle(['epoch', 'seal', new Date(BASE_EPOCH_MS + 5000).toISOString(), '--now', now], {
      DATABASE_URL: t.url,
    });
    expect(JSON.parse(again.stdout)).toMatchObject({
      seal: { sealed: [], alreadySealed: 1 },
      trees: { trees: [] },
    });
    const list = oracle(['epoch', 'list'], { DATABASE_URL: t.url });
    expect(JSON.parse(list.stdout).epochs).toEqual([
      expect.objectContaining({ epoch: EPOCH, channels: 1, participants: 2 }),
    ]);
  });

  it('refuses an epoch that is not over yet or not an hour, with exit codes 1 and 2', () => {
    const open = oracle(
      ['epoch', 'seal', String(EPOCH), '--now', new Date(BASE_EPOCH_MS + 1000).toISOString()],
      {
        DATABASE_URL: t.url,
      },
    );
    expect(open.status).toBe(1);
    expect(open.stderr).toMatch(/is not over yet/);
    const bad = oracle(['epoch', 'seal', '1234'], { DATABASE_URL: t.url });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/epoch must be unix seconds of an hour's start/);
  });
});
