/**
 * `oracle calls list` shows oracle calls from the delivery engine's history (filters: status,
 * address, function, time); `oracle calls show <id>` one call with its transaction attempts;
 * `oracle calls retry <id>` reopens a failed call as a new generation. Reads DATABASE_URL
 * (retry also ORACLE_CALLS_QUEUE_URL).
 */
import { parseArgs } from 'node:util';
import { oracleCallsQueue } from '../../functions/delivery.ts';
import { createPlatform, type Platform } from '../../functions/platform.ts';
import { loadConfig } from '../../layers/shared/src/config.ts';
import { isOracleError } from '../../layers/shared/src/errors.ts';
import { listCallsQuery } from '../../layers/shared/src/services/delivery/admin-oracle-api.ts';
import type { OracleCall } from '../../layers/shared/src/services/delivery/engine.ts';
import {
  getOracleCall,
  listOracleCalls,
  retryOracleCall,
} from '../../layers/shared/src/services/delivery/operator-calls.ts';
import { cliActor } from '../../layers/shared/src/services/platform/admin-audit.ts';

export const summary = 'list, show and retry oracle calls of the delivery engine';

const USAGE = `usage:
  oracle calls list [--status queued|pending|retrying|success|failed|superseded|abandoned] [--address 0x..]
                    [--function <name>] [--from <ISO time>] [--to <ISO time>] [--limit n] [--json]
  oracle calls show <id>
  oracle calls retry <id>
`;

function line(call: OracleCall): string {
  return [
    String(call.id).padStart(6),
    call.status.padEnd(10),
    `${call.functionName}`.padEnd(26),
    call.targetAddress,
    `attempts ${call.attemptCount}/${call.maxAttempts} g${call.generation}`,
    call.transactionHash ?? call.errorMessage ?? '',
  ].join('  ');
}

const stringify = (value: unknown) =>
  JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? v.toString() : v), 2);

export async function run(argv: string[]): Promise<number> {
  const [subcommand, ...rest] = argv;
  const platform = createPlatform(loadConfig(process.env));
  try {
    switch (subcommand) {
      case 'list':
        return await list(platform, rest);
      case 'show':
      case 'retry': {
        const id = Number(rest[0]);
        if (!Number.isInteger(id) || id <= 0) {
          process.stderr.write(USAGE);
          return 2;
        }
        const { sql } = await platform.database();
        if (subcommand === 'show') process.stdout.write(`${stringify(await getOracleCall(sql, id))}\n`);
        else {
          const call = await retryOracleCall(
            { sql, queue: oracleCallsQueue(platform), now: Date.now },
            id,
            cliActor(),
          );
          process.stdout.write(`reopened call ${call.id} as generation ${call.generation}\n`);
        }
        return 0;
      }
      default:
        process.stderr.write(USAGE);
        return subcommand === 'help' || subcommand === '--help' ? 0 : 2;
    }
  } catch (error) {
    if (isOracleError(error)) {
      process.stderr.write(`oracle calls: ${error.message}\n`);
      return error.httpStatus < 500 ? 2 : 1;
    }
    throw error;
  } finally {
    await platform.close();
  }
}

async function list(platform: Platform, argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      status: { type: 'string' },
      address: { type: 'string' },
      function: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      limit: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  const { json, ...filters } = values;
  const parsed = listCallsQuery.safeParse(
    Object.fromEntries(Object.entries(filters).filter(([, v]) => v !== undefined)),
  );
  if (!parsed.success) {
    process.stderr.write(
      `${parsed.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('\n')}\n${USAGE}`,
    );
    return 2;
  }
  const q = parsed.data;
  const { sql } = await platform.database();
  const calls = await listOracleCalls(sql, {
    ...(q.status === undefined ? {} : { status: q.status }),
    ...(q.address === undefined ? {} : { address: q.address }),
    ...(q.function === undefined ? {} : { functionName: q.function }),
    ...(q.from === undefined ? {} : { from: q.from }),
    ...(q.to === undefined ? {} : { to: q.to }),
    ...(q.limit === undefined ? {} : { limit: q.limit }),
  });
  if (json === true) process.stdout.write(`${stringify(calls)}\n`);
  else for (const call of calls) process.stdout.write(`${line(call)}\n`);
  return 0;
}
