/**
 * The creator sync's gateway to the oracle call delivery engine: calls go in through
 * `enqueueOracleCalls` (one batch insert, one queue batch), outcomes are read from the engine's
 * call history.
 */
import { readOracleCallOutcomes } from '../../adapters/db/delivery/oracle-call-outcome-store.ts';
import type { OracleCallGateway } from '../../ports/oracle-call-gateway.ts';
import { type EnqueueDeps, enqueueOracleCalls } from '../delivery/enqueue-oracle-call.ts';

export function deliveryEngineGateway(deps: EnqueueDeps): OracleCallGateway {
  return {
    async enqueue(calls) {
      const results = await enqueueOracleCalls(
        deps,
        calls.map((call) => ({
          requestId: call.requestId,
          contractAddress: call.contractAddress,
          targetAddress: call.targetAddress,
          functionSignature: call.functionSignature,
          args: call.args,
          ...(call.supersedeKey === undefined ? {} : { supersedeKey: call.supersedeKey }),
        })),
      );
      return results.map((result) => ({
        requestId: result.call.requestId,
        status: result.call.status,
        duplicate: !result.created,
      }));
    },
    outcomes: (requestIds) => readOracleCallOutcomes(deps.sql, requestIds),
  };
}
