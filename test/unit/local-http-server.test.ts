import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { StaticSecretStore } from '../../layers/shared/src/adapters/aws/secrets-manager-store.ts';
import { startHttpServer, TurnQueue } from '../../local/http-server.ts';
import { platformFromEnv } from '../fixtures/platform.ts';

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('TurnQueue', () => {
  it('runs at most its share per event-loop turn, in arrival order, until nothing is left', async () => {
    const queue = new TurnQueue(2);
    const ran: number[] = [];
    for (let i = 0; i < 5; i++) queue.push(() => ran.push(i));
    expect(ran).toEqual([]);
    await nextTurn();
    expect(ran).toEqual([0, 1]);
    expect(queue.pending).toBe(3);
    await nextTurn();
    expect(ran).toEqual([0, 1, 2, 3]);
    queue.push(() => ran.push(5));
    await nextTurn();
    expect(ran).toEqual([0, 1, 2, 3, 4, 5]);
    expect(queue.pending).toBe(0);
    queue.push(() => ran.push(6));
    await nextTurn();
    expect(ran).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  it.each([0, -1, 1.5, Number.NaN])('refuses %s requests per turn', (perTurn) => {
    expect(() => new TurnQueue(perTurn)).toThrow(/positive integer/);
  });
});

describe('local HTTP server', () => {
  it('answers every one of many concurrent requests when it starts one per turn', async () => {
    const platform = platformFromEnv();
    const http = await startHttpServer({
      routes: [],
      platform: Promise.resolve(platform),
      secrets: new StaticSecretStore({}),
      ingestKeysSecretId: 'ingest',
      adminTokensSecretId: 'admin',
      requestsPerTurn: 1,
    });
    try {
      const { port } = new URL(http.url);
      const answers = await Promise.all(
        Array.from(
          { length: 200 },
          (_, i) =>
            new Promise<{ status: number; body: string }>((resolve, reject) => {
              const req = request({ host: '127.0.0.1', port, path: `/nothing/${i}`, agent: false }, (res) => {
                let body = '';
                res.setEncoding('utf8');
                res.on('data', (chunk: string) => {
                  body += chunk;
                });
                res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
              });
              req.on('error', reject);
              req.end();
            }),
        ),
      );
      answers.forEach((answer, i) => {
        expect(answer.status).toBe(404);
        expect(JSON.parse(answer.body)).toEqual({
          error: { code: 'NOT_FOUND', message: `no route for GET /nothing/${i}` },
        });
      });
    } finally {
      await http.close();
      await platform.close();
    }
  });
});
