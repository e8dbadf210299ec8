/**
 * Mints through the oracle call delivery engine: one durable call per claim, keyed
 * `mint:<claim id>`, so a repeated claim never makes a second call; the engine signs, sends,
 * retries and confirms. The claim stays `queued` until the engine reports the call's outcome.
 */

import { readOracleCallOutcomes } from '../../adapters/db/delivery/oracle-call-outcome-store.ts';
import { claimIdBytes32 } from '../../core/market/claim-id.ts';
import type { MintOutcome, MintRequest, MintResult, QueuedMinter } from '../../ports/minter.ts';
import type { Queryable } from '../../ports/sql.ts';
import { abandonCompensatedCall } from '../delivery/compensated-calls.ts';
import { type EnqueueDeps, enqueueOracleCall } from '../delivery/enqueue-oracle-call.ts';

const requestIdOf = (claimId: string): string => `mint:${claimId}`;

export class DeliveryEngineMinter implements QueuedMinter<Queryable> {
  constructor(
    private readonly deps: EnqueueDeps,
    private readonly tokenAddress: string,
  ) {}

  async mint(request: MintRequest): Promise<MintResult> {
    await enqueueOracleCall(this.deps, {
      requestId: requestIdOf(request.claimId),
      contractAddress: this.tokenAddress,
      targetAddress: request.to,
      functionSignature: 'mintForClaim(bytes32 claimId, address to, uint256 amount)',
      args: [claimIdBytes32(request.claimId), request.to, request.amount],
      parameters: { claimId: request.claimId, to: request.to, amount: request.amount.toString() },
    });
    return { txHash: undefined, status: 'queued' };
  }

  async outcomes(claimIds: readonly string[]): Promise<Map<string, MintOutcome>> {
    const calls = await readOracleCallOutcomes(this.deps.sql, claimIds.map(requestIdOf));
    const outcomes = new Map<string, MintOutcome>();
    for (const id of claimIds) {
      const call = calls.get(requestIdOf(id));
      const status =
        call?.status === 'success'
          ? 'minted'
          : call?.status === 'failed' || call?.status === 'superseded' || call?.status === 'abandoned'
            ? 'failed'
            : 'pending';
      outcomes.set(id, { status, txHash: call?.transactionHash ?? undefined });
    }
    return outcomes;
  }

  abandonFailed(claimId: string, reason: string, within: Queryable): Promise<boolean> {
    return abandonCompensatedCall(within, requestIdOf(claimId), reason);
  }
}
