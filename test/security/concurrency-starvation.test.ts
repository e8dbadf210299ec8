/**
 * M5 (issue 17): every function drew on the account's one unreserved concurrency pool, so a
 * flood of public requests could take every execution environment and leave the pipeline
 * (publishing roots, delivering oracle calls, writing ingest batches, sealing) throttled. The
 * production synthesis must reserve concurrency for the pipeline and cap the public functions,
 * within what an account has by default.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FUNCTIONS, type FunctionSpec } from '../../lib/functions.ts';
import { logicalIdOf, removeOutput, type Synthesized, synthesize } from '../infra/synth.ts';

/** Lambda's default concurrent executions per account and Region. */
const DEFAULT_ACCOUNT_LIMIT = 1000;
/** Lambda keeps this many unreserved; reservations beyond the rest are refused. */
const UNRESERVED_MINIMUM = 100;

const PIPELINE = ['Publisher', 'OracleCalls', 'IngestWriter', 'Seal'];

let prod: Synthesized;

beforeAll(() => {
  prod = synthesize({ stage: 'prod' });
});

afterAll(() => removeOutput(prod));

function reservedOf(spec: FunctionSpec): number | undefined {
  const stack = spec.stack === 'api' ? prod.deployment.api : prod.deployment.pipeline;
  const fn = stack.functions[spec.name];
  if (fn === undefined) throw new Error(`${spec.name} was not synthesized`);
  const props = prod.template(stack).toJSON().Resources[logicalIdOf(fn.function)].Properties as {
    ReservedConcurrentExecutions?: number;
  };
  return props.ReservedConcurrentExecutions;
}

const isPublic = (spec: FunctionSpec) =>
  (spec.trigger.kind === 'http' && spec.trigger.routes.some((r) => r.auth === 'none')) ||
  spec.trigger.kind === 'websocket';

describe('concurrency in production', () => {
  it('a flood of public requests cannot take the executions the pipeline functions need', () => {
    for (const name of PIPELINE) {
      const spec = FUNCTIONS.find((s) => s.name === name);
      expect(spec, name).toBeDefined();
      if (spec === undefined) continue;
      const reserved = reservedOf(spec);
      expect(reserved, `${name} reserved concurrency`).toBeGreaterThan(0);
      // An SQS consumer scaled beyond its reservation would be throttled by its own poller.
      if (spec.trigger.kind === 'queue' && spec.trigger.maxConcurrency !== undefined)
        expect(reserved, `${name} reserved vs its event source's maximum`).toBeGreaterThanOrEqual(
          spec.trigger.maxConcurrency,
        );
    }
    for (const spec of FUNCTIONS.filter(isPublic)) {
      expect(reservedOf(spec), `${spec.name} concurrency cap`).toBeGreaterThan(0);
    }
    const total = FUNCTIONS.reduce((sum, spec) => sum + (reservedOf(spec) ?? 0), 0);
    expect(total).toBeLessThanOrEqual(DEFAULT_ACCOUNT_LIMIT - UNRESERVED_MINIMUM);
  });
});
