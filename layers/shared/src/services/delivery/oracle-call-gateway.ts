/**
 * The delivery engine behind the OracleCallGateway port other systems (creator sync) use:
 * enqueue through enqueueOracleCalls, read outcomes from the call history.
 */
import { readOracleCallOutcomes } from '../../adapters/db/oracle-call-outcomes.ts';
import type {
  EnqueuedCall,
  OracleCallGateway,
  OracleCallOutcome,
  OracleCallRequest,
} from '../../ports/oracle-call-gateway.ts';
import { type EnqueueDeps, enqueueOracleCalls } from './enqueue-oracle-call.ts';

export class DeliveryOracleCallGateway implements OracleCallGateway {
  constructor(private readonly deps: EnqueueDeps) {}

  async enqueue(calls: readonly OracleCallRequest[]): Promise<EnqueuedCall[]> {
    const results = await enqueueOracleCalls(
      this.deps,
      calls.map((call) => ({
        requestId: call.requestId,
        contractAddress: call.contractAddress,
        targetAddress: call.targetAddress,
        functionSignature: call.functionSignature,
        args: call.args,
        ...(call.supersedeKey === undefined ? {} : { supersedeKey: call.supersedeKey }),
      })),
    );
    return results.map((r) => ({
      requestId: r.call.requestId,
      status: r.call.status,
      duplicate: !r.created,
    }));
  }

  outcomes(requestIds: readonly string[]): Promise<Map<string, OracleCallOutcome>> {
    return readOracleCallOutcomes(this.deps.sql, requestIds);
  }
}
