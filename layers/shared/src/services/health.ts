/** Dependency health: each check runs with a timeout; the answer says up/down and latency per dependency. */
export interface HealthCheck {
  readonly name: string;
  check(): Promise<unknown>;
}

export interface DependencyHealth {
  readonly up: boolean;
  readonly latencyMs: number;
  readonly error?: string;
}

export interface HealthReport {
  readonly status: 'ok' | 'degraded';
  readonly dependencies: Record<string, DependencyHealth>;
}

export async function checkHealth(checks: readonly HealthCheck[], timeoutMs = 3000): Promise<HealthReport> {
  const entries = await Promise.all(
    checks.map(async (c): Promise<[string, DependencyHealth]> => {
      const started = performance.now();
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          c.check(),
          new Promise((_, reject) => {
            timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
          }),
        ]);
        return [c.name, { up: true, latencyMs: round(performance.now() - started) }];
      } catch (error) {
        return [
          c.name,
          { up: false, latencyMs: round(performance.now() - started), error: (error as Error).message },
        ];
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  const dependencies = Object.fromEntries(entries);
  return { status: entries.every(([, h]) => h.up) ? 'ok' : 'degraded', dependencies };
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}

/** A JSON-RPC liveness call (EVM `eth_chainId`, Solana `getHealth`). */
export async function jsonRpcPing(url: string, method: string): Promise<unknown> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params: [] }),
  });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  const body = (await response.json()) as { error?: { message?: string }; result?: unknown };
  if (body.error !== undefined) throw new Error(body.error.message ?? 'JSON-RPC error');
  return body.result;
}
