/**
 * Read-only functions (analytics, GraphQL) reach the cluster's readers through RDS Proxy's
 * read-only endpoint where the stage has a reader (prod), and the writer where it has none (dev).
 * Both stages are synthesized with every system enabled (lib/stages/example.json).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FUNCTIONS } from '../../lib/functions.ts';
import { logicalIdOf, removeOutput, resourcesOf, type Synthesized, synthesize } from './synth.ts';

let dev: Synthesized;
let prod: Synthesized;

// one synthesis per hook: each gets the whole hook timeout on a loaded machine
beforeAll(() => {
  dev = synthesize({ stage: 'dev' });
});
beforeAll(() => {
  prod = synthesize({ stage: 'prod' });
});
afterAll(() => removeOutput(dev, prod));

const READERS = FUNCTIONS.filter((f) => f.databaseReader === true).map((f) => f.name);
const WRITERS = FUNCTIONS.filter((f) => f.database === true && f.databaseReader !== true).map((f) => f.name);

function environmentOf(s: Synthesized, name: string): Record<string, unknown> {
  const spec = FUNCTIONS.find((f) => f.name === name);
  const stack = spec?.stack === 'api' ? s.deployment.api : s.deployment.pipeline;
  const fn = (spec?.stack === 'api' ? s.deployment.api.functions : s.deployment.pipeline.functions)[name];
  if (fn === undefined) throw new Error(`${name} is not deployed`);
  const resources = s.template(stack).toJSON().Resources as Record<
    string,
    { Properties: { Environment?: { Variables?: Record<string, unknown> } } }
  >;
  return resources[logicalIdOf(fn.function)]?.Properties.Environment?.Variables ?? {};
}

describe('reads on the reader', () => {
  it('marks the analytics and GraphQL functions as readers', () => {
    expect(READERS.sort()).toEqual([
      'AnalyticsOverview',
      'AnalyticsRankings',
      'AnalyticsTrends',
      'AnalyticsVolume',
      'Graphql',
    ]);
  });

  it('in prod, gives the proxy a READ_ONLY endpoint and hands it to the readers only', () => {
    const data = prod.template(prod.deployment.data);
    data.resourceCountIs('AWS::RDS::DBProxyEndpoint', 1);
    data.hasResourceProperties('AWS::RDS::DBProxyEndpoint', { TargetRole: 'READ_ONLY' });
    const [endpointId] = Object.keys(resourcesOf(data, 'AWS::RDS::DBProxyEndpoint'));
    for (const name of READERS) {
      const env = environmentOf(prod, name);
      expect(env, name).toHaveProperty('DB_HOST');
      expect(JSON.stringify(env['DB_READER_HOST']), name).toContain(endpointId);
    }
    for (const name of WRITERS) {
      if (
        prod.deployment.api.functions[name] === undefined &&
        prod.deployment.pipeline.functions[name] === undefined
      )
        continue;
      expect(environmentOf(prod, name), name).not.toHaveProperty('DB_READER_HOST');
    }
  });

  it('in dev, with no reader, keeps every function on the writer', () => {
    dev.template(dev.deployment.data).resourceCountIs('AWS::RDS::DBProxyEndpoint', 0);
    for (const name of READERS) {
      const env = environmentOf(dev, name);
      expect(env, name).toHaveProperty('DB_HOST');
      expect(env, name).not.toHaveProperty('DB_READER_HOST');
    }
  });
});
