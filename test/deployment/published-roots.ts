/**
 * Whether the roots a program-mode Publisher recorded as sent or published are on the check's
 * chain: each in its channel's account for the mint, in the slot of its on-chain epoch, equal to
 * the root the database holds. A Publisher that answers without error but leaves no root on chain
 * (the wrong mint, program or epoch unit) is not `ok`.
 */
import type postgres from 'postgres';
import { toOnChainEpoch } from '../../layers/shared/src/core/solana/onchain-epoch.ts';
import { readChannelState } from '../../local/attention-program-accounts.ts';
import type { StandIns } from './stand-ins.ts';

interface PublicationRow {
  epoch: string;
  channel: string;
  token_group: string;
  mint: string | null;
  root: string;
  status: string;
  error: string | null;
}

/** The first problem with the program-mode publications, or undefined when every root is on chain. */
export async function publishedRootProblem(
  sql: postgres.Sql,
  standIns: Pick<StandIns, 'solana' | 'attentionProtocols'>,
  epochUnits: Readonly<Record<string, 'hours' | 'seconds'>>,
): Promise<string | undefined> {
  const rows = await sql<PublicationRow[]>`
    select epoch::text, channel, token_group, mint, root, status, error
    from attention.publications where mode = 'program' order by epoch, channel`;
  if (rows.length === 0) return 'recorded no program-mode publication';
  const done = rows.filter((r) => r.status === 'sent' || r.status === 'published');
  if (done.length === 0) {
    const row = rows[0] as PublicationRow;
    return `published no root: ${row.channel} epoch ${row.epoch} is ${row.status}${row.error === null ? '' : ` (${row.error})`}`;
  }
  for (const row of done) {
    const protocol = standIns.attentionProtocols[row.token_group];
    if (protocol === undefined || row.mint !== protocol.mint) {
      return `${row.channel} epoch ${row.epoch} went to mint ${row.mint ?? 'none'}, not the ${row.token_group} mint set up on the chain`;
    }
    const onChainEpoch = toOnChainEpoch(BigInt(row.epoch), epochUnits[row.token_group] ?? 'hours');
    const state = readChannelState(standIns.solana, {
      mint: protocol.mint,
      channel: row.channel,
      programId: protocol.programId,
    });
    const slot = state?.slots.find((s) => s.epoch === onChainEpoch);
    if (slot === undefined) {
      return `${row.channel} epoch ${row.epoch} is ${row.status}, but its channel account holds no root for on-chain epoch ${onChainEpoch}`;
    }
    const onChain = Buffer.from(slot.root).toString('hex');
    if (onChain !== row.root.replace(/^0x/, '').toLowerCase()) {
      return `${row.channel} epoch ${row.epoch}: the chain holds root ${onChain}, the database ${row.root}`;
    }
  }
  return undefined;
}

/** Each token group's epoch unit as TOKEN_GROUP_MINTS sets it ('hours' unless it says otherwise). */
export function epochUnitsOf(tokenGroupMints: unknown): Record<string, 'hours' | 'seconds'> {
  if (typeof tokenGroupMints !== 'string') return {};
  const groups = JSON.parse(tokenGroupMints) as Record<string, { epochUnit?: 'hours' | 'seconds' }>;
  return Object.fromEntries(Object.entries(groups).map(([group, g]) => [group, g.epochUnit ?? 'hours']));
}
