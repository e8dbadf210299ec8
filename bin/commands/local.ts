/**
 * `oracle local [--once] [--port N] [--interval S]`: the platform on this machine. With
 * --once: one full cycle, a JSON summary on stdout, everything stopped, exit 0 when all went
 * well. Without: serves the API and runs the cycle every --interval seconds until Ctrl-C.
 */
import { parseArgs } from 'node:util';
import { runCycle } from '../../local/cycle.ts';
import { startLocalRuntime } from '../../local/runtime.ts';
import { removeRuntimeState, writeRuntimeState } from '../../local/state-file.ts';

export const summary = 'run the whole platform locally (embedded services); --once for one cycle';

export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      once: { type: 'boolean', default: false },
      port: { type: 'string' },
      interval: { type: 'string', default: '60' },
    },
    strict: true,
  });
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const port = values.port === undefined ? undefined : Number(values.port);
  if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65536)) {
    log(`oracle local: --port must be a TCP port, got ${values.port}`);
    return 2;
  }
  const intervalSeconds = Number(values.interval);
  if (!(intervalSeconds > 0)) {
    log(`oracle local: --interval must be a positive number of seconds, got ${values.interval}`);
    return 2;
  }

  const runtime = await startLocalRuntime({ log, ...(port === undefined ? {} : { port }) });
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= runtime.stop().finally(removeRuntimeState);
    return stopping;
  };

  if (values.once) {
    try {
      const result = await runCycle(runtime);
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      return result.ok ? 0 : 1;
    } finally {
      await stop();
    }
  }

  log(`processes   ${JSON.stringify(runtime.processes)}`);
  // Other `oracle` commands (status, publication verify, ...) read this to reach this runtime.
  writeRuntimeState(runtime.env);
  log(`ingest key  ${runtime.ingestApiKey}`);
  log(`admin token ${runtime.adminToken}`);
  log('running; Ctrl-C stops everything');
  return new Promise<number>((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    let busy = false;
    const tick = async () => {
      if (busy) return;
      busy = true;
      try {
        const result = await runCycle(runtime);
        log(
          `cycle ${result.ok ? 'ok' : 'FAILED'} in ${result.durationMs} ms${result.errors.length > 0 ? `: ${result.errors.join('; ')}` : ''}`,
        );
        const claim = result.stages['claim'] as { user?: string; channel?: string } | undefined;
        const sealed = result.stages['seal'] as { epoch?: number } | undefined;
        if (claim?.user !== undefined) {
          log(`try it      GET ${runtime.apiUrl}/claims/${claim.user}`);
          log(`            npx oracle publication verify ${sealed?.epoch} ${claim.channel}`);
        }
      } finally {
        busy = false;
      }
    };
    void tick();
    timer = setInterval(() => void tick(), intervalSeconds * 1000);
    const shutdown = (signal: string) => {
      log(`${signal}: stopping`);
      clearInterval(timer);
      void stop().then(() => resolve(0));
    };
    process.once('SIGINT', () => shutdown('SIGINT'));
    process.once('SIGTERM', () => shutdown('SIGTERM'));
  });
}
