import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PER_IP_LIMITS } from '../../functions/api/contract/per-ip-limits.ts';
import { FUNCTIONS, requireEntries, routeKeyOf } from '../../lib/functions.ts';
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

  it('deploys every function of the registry', () => {
    for (const spec of FUNCTIONS) {
      const deployed = (
        spec.stack === 'api' ? app.deployment.api.functions : app.deployment.pipeline.functions
      )[spec.name];
      expect(deployed, spec.name).toBeDefined();
    }
  });

  it('fails synth naming the function whose entry file is gone', () => {
    const renamed = FUNCTIONS.find((f) => f.name === 'WalletsApi');
    expect(renamed).toBeDefined();
    const functions = FUNCTIONS.map((f) =>
      f === renamed ? { ...f, entry: 'functions/api/wallets-renamed/index.ts' } : f,
    );
    expect(() => synthesize({ functions })).toThrow(
      /Entry file missing for WalletsApi \(functions\/api\/wallets-renamed\/index\.ts\)/,
    );
  });

  it('refuses a registry with any one entry file removed', () => {
    // a copy of the tree holding only the entry files, each removed in turn
    const root = mkdtempSync(join(tmpdir(), 'eo-entries-'));
    try {
      for (const spec of FUNCTIONS) {
        mkdirSync(dirname(join(root, spec.entry)), { recursive: true });
        writeFileSync(join(root, spec.entry), '');
      }
      expect(requireEntries(FUNCTIONS, root)).toHaveLength(FUNCTIONS.length);
      for (const spec of FUNCTIONS) {
        rmSync(join(root, spec.entry));
        expect(() => requireEntries(FUNCTIONS, root), spec.name).toThrow(
          new RegExp(`^Entry file missing for ${spec.name} \\(`),
        );
        writeFileSync(join(root, spec.entry), '');
      }
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
