/**
 * `oracle publication verify <epoch> <channel>`: reads the chain and compares it with the
 * database; `oracle publication list [--status S]`. Exit 0 when they agree, 1 when not.
 * `oracle publication return <epoch> <channel>`: settles again the root the published
 * `<epoch>` overwrote (the ReturnUndecided runbook), from the RPC in SOLANA_RPC_URL, which must
 * keep the channel's history; exit 0 when returned (or nothing was replaced), 1 when still
 * undecided.
 */
import { parseArgs } from 'node:util';
import { platformRequiring } from '../../functions/handler-entry.ts';
import { createPlatform } from '../../functions/platform.ts';
import { verifierDeps } from '../../functions/solana-dependencies.ts';
import { loadConfig } from '../../layers/shared/src/config.ts';
import { powertoolsTelemetry } from '../../layers/shared/src/observability.ts';
import { verifyPublication } from '../../layers/shared/src/services/attention/publication-verifier.ts';
import { settleRecordedOverwrite } from '../../layers/shared/src/services/attention/replaced-roots.ts';
import { cliActor, recordAdminAction } from '../../layers/shared/src/services/platform/admin-audit.ts';

export const summary =
  'verify published roots against the chain (verify <epoch> <channel>), list them, return an overwritten root (return <epoch> <channel>)';

export async function run(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { status: { type: 'string' } },
  });
  const [action, epochText, channel] = positionals;
  const platform = createPlatform(loadConfig(process.env));
  try {
    const deps = await verifierDeps(platformRequiring(platform, ['SOLANA_RPC_URL']));
    if (action === 'verify' || action === 'return') {
      const epoch = Number(epochText);
      if (!Number.isInteger(epoch) || epoch % 3600 !== 0 || channel === undefined) {
        process.stderr.write(
          `usage: oracle publication ${action} <epoch (unix seconds of the hour)> <channel>\n`,
        );
        return 2;
      }
      if (action === 'return') {
        const settled = await settleRecordedOverwrite(
          { ...deps, telemetry: powertoolsTelemetry },
          { epoch, channel: channel.toLowerCase() },
        );
        await recordAdminAction(deps.sql, {
          actor: cliActor(),
          action: 'publication.return',
          targetType: 'publication',
          targetId: `${epoch}:${channel.toLowerCase()}`,
          after: settled,
        });
        process.stdout.write(
          `${JSON.stringify(settled, (_, value) => (typeof value === 'bigint' ? value.toString() : value), 2)}\n`,
        );
        return settled.outcome === 'undecided' ? 1 : 0;
      }
      const result = await verifyPublication(deps, epoch, channel.toLowerCase());
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      return result.ok ? 0 : 1;
    }
    if (action === 'list') {
      const rows = await deps.sql`
        select epoch::text, channel, token_group, mode, status, signature, slot::text, error from attention.publications
        where ${values.status === undefined ? deps.sql`true` : deps.sql`status = ${values.status}`}
        order by epoch desc, channel limit 200`;
      process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
      return 0;
    }
    process.stderr.write(
      'usage: oracle publication verify <epoch> <channel> | list [--status S] | return <epoch> <channel>\n',
    );
    return 2;
  } finally {
    await platform.close();
  }
}
