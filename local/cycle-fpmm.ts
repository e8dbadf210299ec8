/**
 * The cycle's FPMM oracle calls, as an operator sends them in production: a FixedProductMarketMaker
 * on anvil with the engine's signer as its oracle, a raffle probability and a market sentiment per
 * player through `POST /admin/fpmm/{fpmm}/...`, then the oracle-calls queue's consumer (sign,
 * record, send) and the confirmer, and every value read back from the contract.
 */
import { asFunction } from './function-databases.ts';
import { drain } from './queue-poller.ts';
import type { LocalRuntime } from './runtime.ts';

interface PlayerValues {
  readonly player: string;
  readonly probabilityBps: number;
  readonly sentimentBps: number;
}

async function postUpdate(
  runtime: LocalRuntime,
  path: string,
  body: Record<string, unknown>,
): Promise<number> {
  const response = await fetch(`${runtime.apiUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${runtime.adminToken}` },
    body: JSON.stringify(body),
  });
  const answer = (await response.json()) as { call?: { id: number }; error?: { message: string } };
  if (response.status !== 202 || answer.call === undefined) {
    throw new Error(`POST ${path} answered ${response.status}: ${answer.error?.message}`);
  }
  return answer.call.id;
}

/** Consumer and confirmer until no call is open, as the queue trigger and the schedule run them. */
async function deliverOracleCalls(runtime: LocalRuntime): Promise<void> {
  const { handler } = await import('../functions/queue/oracle-calls/index.ts');
  const consumer = asFunction('OracleCalls', handler.on(runtime.platform));
  const queueUrl = runtime.sqs.queues.oracleCalls.url;
  await drain(runtime.sqs.client, queueUrl, consumer, { batchSize: 10 });
  const confirmer = asFunction(
    'DeliveryConfirmer',
    (await import('../functions/scheduled/delivery-confirmer/index.ts')).handler.on(runtime.platform),
  );
  const { sql } = await runtime.platform.database();
  for (let round = 0; round < 20; round++) {
    await confirmer({});
    const [open] = await sql<{ n: number }[]>`
      select count(*)::int as n from delivery.oracle_call_history where status not in ('success', 'failed', 'superseded', 'abandoned')`;
    if ((open?.n ?? 0) === 0) return;
    await drain(runtime.sqs.client, queueUrl, consumer, { batchSize: 10 });
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

export async function fpmmOracleCalls(runtime: LocalRuntime) {
  const { deployFixedProductMarketMaker } = await import('./fpmm.ts');
  const { localProvider, ANVIL_DEV_ACCOUNTS } = await import('./anvil.ts');
  const { Contract } = await import('ethers');
  const { loadArtifact } = await import('../contracts/compile.ts');
  const provider = localProvider(runtime.evmRpcUrl, 31337);
  try {
    const signer = ANVIL_DEV_ACCOUNTS[0]?.address as string;
    const fpmm = await deployFixedProductMarketMaker(provider, signer);
    const seasonId = 1;
    const sent: PlayerValues[] = ANVIL_DEV_ACCOUNTS.slice(2, 5).map((a, i) => ({
      player: a.address,
      probabilityBps: 1000 + i * 250,
      sentimentBps: -500 + i * 400,
    }));
    const callIds: number[] = [];
    for (const { player, probabilityBps, sentimentBps } of sent) {
      callIds.push(
        await postUpdate(runtime, `/admin/fpmm/${fpmm}/raffle-probability`, {
          seasonId,
          player,
          probabilityBps,
        }),
        await postUpdate(runtime, `/admin/fpmm/${fpmm}/market-sentiment`, { seasonId, player, sentimentBps }),
      );
    }
    await deliverOracleCalls(runtime);

    const { sql } = await runtime.platform.database();
    const rows = await sql<{ status: string; n: number }[]>`
      select status, count(*)::int as n from delivery.oracle_call_history
      where id = any(${callIds}::bigint[]) group by status`;
    const [audited] = await sql<{ n: number }[]>`
      select count(*)::int as n from creator.admin_audit_log
      where action like 'fpmm.%' and actor = 'local' and target_id = ${fpmm.toLowerCase()}`;
    const { abi } = await loadArtifact('FixedProductMarketMaker');
    const contract = new Contract(fpmm, abi, provider);
    const onChain: PlayerValues[] = [];
    for (const { player } of sent) {
      const probability = (await contract.getFunction('raffleProbabilityBps')(seasonId, player)) as bigint;
      const sentiment = (await contract.getFunction('marketSentimentBps')(seasonId, player)) as bigint;
      onChain.push({ player, probabilityBps: Number(probability), sentimentBps: Number(sentiment) });
    }
    if (JSON.stringify(onChain) !== JSON.stringify(sent)) {
      throw new Error(
        `the FPMM holds ${JSON.stringify(onChain)}, not the values sent ${JSON.stringify(sent)}`,
      );
    }
    return {
      fpmm,
      enqueued: callIds.length,
      byStatus: Object.fromEntries(rows.map((r) => [r.status, r.n])),
      auditEntries: audited?.n ?? 0,
      sent,
      onChain,
    };
  } finally {
    provider.destroy();
  }
}
