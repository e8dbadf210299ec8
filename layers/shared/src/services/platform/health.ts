/**
 * Dependency health: each check runs with a timeout; the report says up/down, latency and why per
 * dependency (for operators). The public answer is up/down alone: a failing dependency's error
 * names hosts, ARNs and upstream messages, and is nobody else's business.
 */
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

export interface PublicHealthReport {
  readonly status: 'ok' | 'degraded';
  readonly dependencies: Record<string, { readonly up: boolean }>;
}

/** What anyone may see of a report: each dependency up or down, nothing about why. */
export function publicHealth(report: HealthReport): PublicHealthReport {
  return {
    status: report.status,
    dependencies: Object.fromEntries(
      Object.entries(report.dependencies).map(([name, h]) => [name, { up: h.up }]),
    ),
  };
}

/**
 * One report per window for this process: requests within `ttlMs` of a probe's start, and those
 * arriving while it runs, share its report, so a flood of requests probes each dependency once
 * per window instead of once per request.
 */
export class CachedHealth {
  #latest: { readonly at: number; readonly report: Promise<HealthReport> } | undefined;

  constructor(
    private readonly probe: () => Promise<HealthReport>,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  report(): Promise<HealthReport> {
    const at = this.now();
    if (this.#latest === undefined || at - this.#latest.at >= this.ttlMs) {
      const report = this.probe();
      this.#latest = { at, report };
      // A probe that threw (not a dependency that is down: that is a report) is not kept.
      report.catch(() => {
        if (this.#latest?.report === report) this.#latest = undefined;
      });
    }
    return this.#latest.report;
  }
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

/**
 * Each check's timeout in one container: the first probe also connects (a database client's
 * first query fetches its secret, opens TLS and authenticates; a paused Aurora resumes), which
 * under load takes longer than a dependency that answers should ever take afterwards. So the
 * first probe gets `coldMs`; once a dependency was found up, it gets `warmMs`. A dependency that
 * never came up keeps the cold budget: it is still connecting, not slow.
 */
export class ContainerProbe {
  readonly #connected = new Set<string>();

  constructor(
    private readonly checks: () => readonly HealthCheck[],
    private readonly budget: { readonly coldMs: number; readonly warmMs: number },
  ) {}

  async report(): Promise<HealthReport> {
    const checks = this.checks();
    const reports = await Promise.all(
      checks.map((c) =>
        checkHealth([c], this.#connected.has(c.name) ? this.budget.warmMs : this.budget.coldMs),
      ),
    );
    const dependencies: Record<string, DependencyHealth> = {};
    for (const r of reports) Object.assign(dependencies, r.dependencies);
    for (const [name, h] of Object.entries(dependencies)) if (h.up) this.#connected.add(name);
    return {
      status: Object.values(dependencies).every((h) => h.up) ? 'ok' : 'degraded',
      dependencies,
    };
  }
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
