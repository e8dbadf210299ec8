/**
 * The lazily loaded ports of functions/lazy-ports.ts: the adapter loads once, on the first call,
 * every call reaches it, and a failed load is tried again rather than kept.
 */
import { describe, expect, it } from 'vitest';
import { lazyWorkQueue, loadOnce } from '../../functions/lazy-ports.ts';
import type { OutgoingMessage, WorkQueue } from '../../layers/shared/src/ports/work-queue.ts';

describe('loadOnce', () => {
  it('loads on the first call only and shares the result', async () => {
    let loads = 0;
    const load = loadOnce(async () => {
      loads += 1;
      return { id: loads };
    });
    expect(loads).toBe(0);
    const [a, b] = await Promise.all([load(), load()]);
    expect(a).toBe(b);
    expect(await load()).toBe(a);
    expect(loads).toBe(1);
  });

  it('tries a failed load again on the next call', async () => {
    let loads = 0;
    const load = loadOnce(async () => {
      loads += 1;
      if (loads === 1) throw new Error('module not loaded');
      return 'loaded';
    });
    await expect(load()).rejects.toThrow('module not loaded');
    expect(await load()).toBe('loaded');
    expect(loads).toBe(2);
  });

  it('forget() hands back the load and lets the next call load afresh', async () => {
    let loads = 0;
    const load = loadOnce(async () => ++loads);
    expect(load.forget()).toBeUndefined();
    const first = load();
    expect(load.forget()).toBe(first);
    expect(await load()).toBe(2);
    expect(await load()).toBe(2);
  });

  it('a forgotten load that fails later does not drop the load after it', async () => {
    const attempts: { reject: (error: Error) => void }[] = [];
    let loads = 0;
    const load = loadOnce(() => {
      loads += 1;
      if (loads === 1) return new Promise<string>((_, reject) => attempts.push({ reject }));
      return Promise.resolve('second');
    });
    const first = load();
    load.forget();
    expect(await load()).toBe('second');
    attempts[0]?.reject(new Error('first failed late'));
    await expect(first).rejects.toThrow('first failed late');
    expect(await load()).toBe('second');
    expect(loads).toBe(2);
  });
});

describe('lazyWorkQueue', () => {
  it('is named as the SQS adapter names it before anything is loaded, and sends through the adapter', async () => {
    const sent: OutgoingMessage[] = [];
    let loaded = false;
    const queue = lazyWorkQueue('https://sqs.eu-west-1.amazonaws.com/123/oracle-calls.fifo', async () => {
      loaded = true;
      return {
        send: async (message: OutgoingMessage) => {
          sent.push(message);
          return { messageId: 'm-1' };
        },
      } as unknown as WorkQueue;
    });
    expect(queue.name).toBe('oracle-calls.fifo');
    expect(loaded).toBe(false);
    expect(await queue.send({ body: { n: 1 }, groupId: 'g' })).toEqual({ messageId: 'm-1' });
    expect(sent).toEqual([{ body: { n: 1 }, groupId: 'g' }]);
  });
});
