import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PER_IP_LIMITS } from '../../functions/api/contract/per-ip-limits.ts';
import { FUNCTIONS, REPO_ROOT, routeKeyOf } from '../../lib/functions.ts';
import { removeOutput, type Synthesized, synthesize } from './synth.ts';

let app: Synthesized;

beforeAll(() => {
  app = synthesize();
});

afterAll(() => {
  removeOutput(app);
});

describe('function registry', () => {
  it('names every function once, with a stable PascalCase id', () => {
    const names = FUNCTIONS.map((f) => f.name);
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) expect(name).toMatch(/^[A-Z][A-Za-z0-9]+$/);
  });

  it('gives every public route that writes a per-IP limit', () => {
    const publicWrites = FUNCTIONS.flatMap((spec) =>
      spec.trigger.kind === 'http'
        ? spec.trigger.routes.filter((r) => r.auth === 'none' && r.method !== 'GET').map(routeKeyOf)
        : [],
    );
    expect(publicWrites).toContain('POST /wallets/bind');
    for (const key of publicWrites) expect(PER_IP_LIMITS[key], key).toBeDefined();
    // a GET that stores something: the state of a Twitch sign-in
    expect(PER_IP_LIMITS['GET /auth/twitch/authorize']).toBeDefined();
  });

  it('keeps each entry under functions/<trigger folder>/[<area>/]<name>/index.ts', () => {
    for (const f of FUNCTIONS)
      expect(f.entry).toMatch(/^functions\/(api|scheduled|queue)\/([a-z0-9-]+\/)?[a-z0-9-]+\/index\.ts$/);
  });

  it('deploys the functions whose code exists and notes the others', () => {
    for (const spec of FUNCTIONS) {
      const stack = spec.stack === 'api' ? app.deployment.api : app.deployment.pipeline;
      const deployed = (
        spec.stack === 'api' ? app.deployment.api.functions : app.deployment.pipeline.functions
      )[spec.name];
      if (existsSync(join(REPO_ROOT, spec.entry))) {
        // an http function is deployed once its routes can be (protected routes need the authorizer)
        if (
          spec.trigger.kind !== 'http' ||
          spec.trigger.routes.some((r) => r.auth === 'none') ||
          app.deployment.api.functions.Authorizer
        ) {
          expect(deployed, spec.name).toBeDefined();
        }
      } else {
        expect(deployed, spec.name).toBeUndefined();
        Annotations.fromStack(stack).hasInfo('*', Match.stringLikeRegexp(`^${spec.name} not deployed`));
      }
    }
  });
});
