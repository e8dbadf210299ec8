/**
 * `oracle fpmm raffle-probability|sentiment <fpmm> <bps> --season <id> --player <0x..>`: queues
 * the FPMM's `updateRaffleProbability` or `updateMarketSentiment` through the delivery engine, with
 * the checks of `POST /admin/fpmm/{fpmm}/...` (the contract's ranges, EIP-55 checksums), audited
 * as `cli:<os user>@<host>`. Writes to DATABASE_URL and ORACLE_CALLS_QUEUE_URL directly; needs
 * EVM_SIGNER_ADDRESS and EVM_CHAIN_ID (or EVM_RPC_URL to ask), as the route's function does.
 */
import { parseArgs } from 'node:util';
import { parseInput } from '../../functions/api/http.ts';
import { enqueueDependencies } from '../../functions/delivery.ts';
import { platformRequiring } from '../../functions/handler-entry.ts';
import { createPlatform } from '../../functions/platform.ts';
import { loadConfig } from '../../layers/shared/src/config.ts';
import { isOracleError } from '../../layers/shared/src/errors.ts';
import {
  type FpmmUpdateInput,
  fpmmParams,
  MAX_BPS,
  marketSentimentBody,
  raffleProbabilityBody,
  requestFpmmUpdate,
} from '../../layers/shared/src/services/delivery/fpmm-admin-updates.ts';
import { cliActor } from '../../layers/shared/src/services/platform/admin-audit.ts';

export const summary = 'queue FPMM oracle updates: raffle probability, market sentiment';

const USAGE = `usage:
  oracle fpmm raffle-probability <fpmm> <probabilityBps 0–${MAX_BPS}> --season <seasonId> --player <0x..>
                                 [--request-id <id>]
  oracle fpmm sentiment <fpmm> <sentimentBps -${MAX_BPS}–${MAX_BPS}> --season <seasonId> --player <0x..>
                        [--request-id <id>]
Follow the call with: oracle calls show <id>
`;

const KINDS: Readonly<Record<string, FpmmUpdateInput['kind']>> = {
  'raffle-probability': 'raffle-probability',
  sentiment: 'market-sentiment',
  'market-sentiment': 'market-sentiment',
};

export async function run(argv: string[]): Promise<number> {
  // A negative sentiment (`-1500`) is a value, not an option.
  const negatives = argv.filter((a) => /^-[0-9]/.test(a));
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv.filter((a) => !negatives.includes(a)));
  } catch (error) {
    process.stderr.write(`oracle fpmm: ${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [name, fpmmArg, ...rest] = positionals;
  const given = [...rest, ...negatives];
  const kind = KINDS[name ?? ''];
  if (kind === undefined || fpmmArg === undefined || given.length !== 1) {
    process.stderr.write(USAGE);
    return name === 'help' ? 0 : 2;
  }
  const platform = createPlatform(loadConfig(process.env));
  try {
    const { fpmm } = parseInput(fpmmParams, { fpmm: fpmmArg }, 'fpmm');
    const common = {
      seasonId: values.season === undefined ? undefined : Number(values.season),
      player: values.player,
      ...(values['request-id'] === undefined ? {} : { requestId: values['request-id'] }),
    };
    const value = Number(given[0]);
    const input: FpmmUpdateInput =
      kind === 'raffle-probability'
        ? { kind, body: parseInput(raffleProbabilityBody, { ...common, probabilityBps: value }, 'update') }
        : { kind, body: parseInput(marketSentimentBody, { ...common, sentimentBps: value }, 'update') };
    const deps = {
      ...(await enqueueDependencies(platformRequiring(platform, ['EVM_SIGNER_ADDRESS']))),
      warn: (message: string) => process.stderr.write(`oracle fpmm: ${message}\n`),
    };
    const { call, created } = await requestFpmmUpdate(deps, fpmm, input, cliActor());
    process.stdout.write(
      `${created ? 'queued' : 'already queued'}: call ${call.id} ${call.functionName} ${JSON.stringify(call.parameters)} on ${call.contractAddress} (${call.status}); follow it with oracle calls show ${call.id}\n`,
    );
    return 0;
  } catch (error) {
    if (isOracleError(error)) {
      process.stderr.write(`oracle fpmm: ${error.message}\n`);
      return error.httpStatus < 500 ? 2 : 1;
    }
    throw error;
  } finally {
    await platform.close();
  }
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      season: { type: 'string' },
      player: { type: 'string' },
      'request-id': { type: 'string' },
    },
  });
}
