/**
 * `oracle epoch seal <epoch> [--now ISO]` seals one epoch (unix seconds of the hour's start,
 * or an ISO-8601 time within the hour) and builds its trees, printing the result as JSON;
 * `oracle epoch seal --due` does what the hourly schedule does; `oracle epoch list [--limit N]`
 * prints the sealed epochs. Reads DATABASE_URL and the attention settings from the environment.
 */
import { parseArgs } from 'node:util';
import { listSealedEpochs } from '../../layers/shared/src/adapters/db/attention/sealed-epoch-store.ts';
import { createDb } from '../../layers/shared/src/adapters/db/client.ts';
import { loadConfig } from '../../layers/shared/src/config.ts';
import { epochOfMs } from '../../layers/shared/src/core/attention/signals.ts';
import { isOracleError } from '../../layers/shared/src/errors.ts';
import { powertoolsTelemetry } from '../../layers/shared/src/observability.ts';
import { attentionSettings } from '../../layers/shared/src/services/attention/attention-settings.ts';
import {
  type FinalizeResult,
  finalizeEpoch,
  sealDueEpochs,
} from '../../layers/shared/src/services/attention/sealing.ts';
import { cliActor, recordAdminAction } from '../../layers/shared/src/services/platform/admin-audit.ts';

export const summary =
  'seal an epoch and build its trees (`epoch seal <epoch>`, `epoch seal --due`), or `epoch list`';

const USAGE = `usage:
  oracle epoch seal <epoch> [--now ISO-8601]   epoch: unix seconds of the hour's start, or an ISO time in it
  oracle epoch seal --due [--now ISO-8601]     every past epoch not sealed yet (the hourly schedule)
  oracle epoch list [--limit N]
`;

export async function run(argv: string[]): Promise<number> {
  const fail = (message: string) => {
    process.stderr.write(`oracle epoch: ${message}\n${USAGE}`);
    return 2;
  };
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    return fail((error as Error).message);
  }
  const { values, positionals } = parsed;
  const [command, target] = positionals;
  const now = values.now === undefined ? new Date() : new Date(values.now);
  if (Number.isNaN(now.getTime())) return fail(`--now must be an ISO-8601 time, got ${values.now}`);
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    return fail((error as Error).message);
  }
  if (config.DATABASE_URL === undefined) return fail('DATABASE_URL is not set');
  const handle = createDb(config.DATABASE_URL, { max: 3 });
  try {
    if (command === 'list') {
      const limit = values.limit === undefined ? 48 : Number(values.limit);
      if (!Number.isSafeInteger(limit) || limit < 1)
        return fail(`--limit must be a positive integer, got ${values.limit}`);
      print({ epochs: await listSealedEpochs(handle.sql, { limit }) });
      return 0;
    }
    if (command !== 'seal')
      return fail(command === undefined ? 'missing subcommand' : `unknown subcommand '${command}'`);
    const deps = { sql: handle.sql, settings: attentionSettings(config), telemetry: powertoolsTelemetry };
    if (values.due === true) {
      const result = await sealDueEpochs(deps, now);
      await recordAdminAction(handle.sql, {
        actor: cliActor(),
        action: 'epoch.seal-due',
        targetType: 'epoch',
        targetId: 'due',
        after: { epochs: result.epochs.map(sealSummary), failed: result.failed.length },
        details: { now: now.toISOString() },
      });
      print(result);
      return 0;
    }
    if (target === undefined) return fail('seal needs an epoch (or --due)');
    const epoch = parseEpoch(target);
    if (epoch === undefined)
      return fail(`epoch must be unix seconds of an hour's start or an ISO-8601 time, got ${target}`);
    const result = await finalizeEpoch(deps, epoch, now);
    // Sealing commits per channel in transactions of its own: the entry follows what they did.
    await recordAdminAction(handle.sql, {
      actor: cliActor(),
      action: 'epoch.seal',
      targetType: 'epoch',
      targetId: String(epoch),
      before: { sealedChannels: result.seal.alreadySealed },
      after: sealSummary(result),
      details: { now: now.toISOString() },
    });
    print(result);
    return 0;
  } catch (error) {
    if (isOracleError(error) && error.httpStatus < 500) {
      process.stderr.write(`oracle epoch: ${error.message}\n`);
      return 1;
    }
    throw error;
  } finally {
    await handle.close();
  }
}

/** What an audit entry keeps of a finalized epoch: which channels and trees, not their rows. */
function sealSummary(result: FinalizeResult) {
  return {
    epoch: result.epoch,
    sealed: result.seal.sealed.map((c) => c.channel),
    alreadySealed: result.seal.alreadySealed,
    trees: result.trees.trees.map((t) => ({
      channel: t.channel,
      kind: t.kind,
      outcome: t.outcome,
      root: t.root,
    })),
    failed: result.seal.failed.length + result.trees.failed.length,
  };
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: { now: { type: 'string' }, due: { type: 'boolean' }, limit: { type: 'string' } },
  });
}

function parseEpoch(text: string): number | undefined {
  if (/^[0-9]+$/.test(text)) {
    const n = Number(text);
    return Number.isSafeInteger(n) && n % 3600 === 0 ? n : undefined;
  }
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : epochOfMs(ms);
}

function print(value: unknown): void {
  process.stdout.write(
    `${JSON.stringify(value, (_key, v) => (typeof v === 'bigint' ? v.toString() : v), 2)}\n`,
  );
}
