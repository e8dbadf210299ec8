/**
 * Systems switched on by the stage file: a missing setting or a missing dependency fails the
 * synth naming it and the file; a disabled system deploys nothing of its own; a synth from
 * example values carries the rule that makes CloudFormation refuse it.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE_MARK } from '../../lib/app.ts';
import { settingsEnvironment } from '../../lib/function-wiring.ts';
import { FUNCTIONS, REPO_ROOT } from '../../lib/functions.ts';
import { EXAMPLE_STAGE_FILE, parseStageSettings } from '../../lib/stage-config.ts';
import { unmetRequirements } from '../fixtures/required-variables.ts';
import { removeOutput, resourcesOf, type Synthesized, synthesize } from './synth.ts';

type StageJson = {
  example?: boolean;
  systems: Record<string, { enabled: boolean; settings?: Record<string, unknown> }>;
};
const example = (): StageJson => JSON.parse(readFileSync(join(REPO_ROOT, EXAMPLE_STAGE_FILE), 'utf8'));

const dir = mkdtempSync(join(tmpdir(), 'eo-stage-'));
let withoutAttention: Synthesized;

beforeAll(() => {
  const file = example();
  file.systems['attention'] = { enabled: false };
  const path = join(dir, 'no-attention.json');
  writeFileSync(path, JSON.stringify(file));
  withoutAttention = synthesize({ config: path });
});

afterAll(() => {
  removeOutput(withoutAttention);
  rmSync(dir, { recursive: true, force: true });
});

describe('a stage file', () => {
  it('fails the synth naming the setting an enabled system lacks and the file to put it in', () => {
    const file = example();
    delete file.systems['attention']?.settings?.['PUBLISH_MODE'];
    const path = join(dir, 'unconfigured.json');
    writeFileSync(path, JSON.stringify(file));
    expect(() => synthesize({ config: path })).toThrow(
      /the Attention oracle is enabled but PUBLISH_MODE is not set: add it to systems\.attention\.settings in .*unconfigured\.json/,
    );
  });

  it('fails naming every missing setting of a system enabled without settings', () => {
    const file = example();
    file.systems['market'] = { enabled: true };
    expect(() => parseStageSettings(file, 'lib/stages/prod.json')).toThrow(
      /MARKET_FACTORY_ADDRESS is not set: add it to systems\.market\.settings in lib\/stages\/prod\.json[\s\S]*MARKET_REWARD_TOKEN[\s\S]*AIR_API_URL/,
    );
  });

  it('fails the synth when the creator oracle is enabled without delivery', () => {
    const file = example();
    file.systems['delivery'] = { enabled: false };
    file.systems['market'] = { enabled: false };
    const path = join(dir, 'creator-alone.json');
    writeFileSync(path, JSON.stringify(file));
    expect(() => synthesize({ config: path })).toThrow(
      /systems\.creator \(Creator metrics oracle\) is enabled but needs systems\.delivery \(Oracle call delivery\), which is disabled/,
    );
  });

  it('refuses a setting no system declares, and a malformed value, naming them', () => {
    const file = example();
    const attention = file.systems['attention']?.settings ?? {};
    attention['PUBLISH_MOD'] = 'program';
    attention['SOLANA_RPC_URL'] = 'not a url';
    expect(() => parseStageSettings(file, 'lib/stages/dev.json')).toThrow(
      /systems\.attention\.settings\.PUBLISH_MOD is not a setting of the Attention oracle[\s\S]*SOLANA_RPC_URL in lib\/stages\/dev\.json: Invalid url/,
    );
  });

  it('gives WalletsApi the sign-in redirect URIs as the comma-separated list it reads, and refuses one that is no URL', () => {
    const wallets = FUNCTIONS.find((f) => f.name === 'WalletsApi');
    const file = example();
    const attention = file.systems['attention']?.settings ?? {};
    attention['TWITCH_REDIRECT_URIS'] = ['https://claims.example.org/', 'https://claims.example.org/alt'];
    const settings = parseStageSettings(file, 'lib/stages/dev.json');
    expect(
      settingsEnvironment('WalletsApi', 'attention', wallets?.settings ?? [], settings)[
        'TWITCH_REDIRECT_URIS'
      ],
    ).toBe('https://claims.example.org/,https://claims.example.org/alt');
    delete attention['TWITCH_REDIRECT_URIS'];
    expect(
      settingsEnvironment(
        'WalletsApi',
        'attention',
        wallets?.settings ?? [],
        parseStageSettings(file, 'x.json'),
      ),
    ).not.toHaveProperty('TWITCH_REDIRECT_URIS');
    attention['TWITCH_REDIRECT_URIS'] = ['claims page'];
    expect(() => parseStageSettings(file, 'lib/stages/dev.json')).toThrow(
      /systems\.attention\.settings\.TWITCH_REDIRECT_URIS in lib\/stages\/dev\.json: Invalid url/,
    );
  });
});

describe('a disabled system (attention)', () => {
  const attention = FUNCTIONS.filter((f) => f.system === 'attention');

  it('deploys none of its functions, and the others', () => {
    const deployed = {
      ...withoutAttention.deployment.pipeline.functions,
      ...withoutAttention.deployment.api.functions,
    };
    for (const spec of attention) expect(deployed[spec.name], spec.name).toBeUndefined();
    for (const spec of FUNCTIONS.filter((f) => f.system !== 'attention')) {
      expect(deployed[spec.name], spec.name).toBeDefined();
    }
  });

  it('creates none of its schedules, queues, routes or alarms, and no Worker stack', () => {
    const pipeline = withoutAttention.template(withoutAttention.deployment.pipeline).toJSON();
    const api = withoutAttention.template(withoutAttention.deployment.api);
    const monitoring = JSON.stringify(
      withoutAttention.template(withoutAttention.deployment.monitoring).toJSON(),
    );
    const schedules = Object.keys(
      resourcesOf(
        withoutAttention.template(withoutAttention.deployment.pipeline),
        'AWS::Scheduler::Schedule',
      ),
    );
    for (const id of ['DiscoveryDaily', 'DiscoveryLiveness', 'SealHourly', 'PublishRootsEveryMinute']) {
      expect(
        schedules.some((s) => s.startsWith(id)),
        id,
      ).toBe(false);
    }
    expect(Object.keys(pipeline.Resources).some((id) => /^(IngestQueue|PublishQueue)/.test(id))).toBe(false);
    expect(withoutAttention.deployment.pipeline.queues.ingest).toBeUndefined();
    const routes = Object.values(resourcesOf(api, 'AWS::ApiGatewayV2::Route')).map(
      (r) => r.Properties?.['RouteKey'],
    );
    const attentionRoutes = attention.flatMap((f) => (f.trigger.kind === 'http' ? f.trigger.routes : []));
    expect(attentionRoutes.length).toBeGreaterThan(0);
    for (const r of attentionRoutes) expect(routes).not.toContain(`${r.method} ${r.path}`);
    expect(routes).toContain('GET /health');
    for (const alarm of ['MappingCoverageLow', 'NoEpochSealed', 'DiscoveryFailed', 'RootExpired']) {
      expect(monitoring).not.toContain(alarm);
    }
    expect(monitoring).toContain('OracleConsecutiveFailures');
    expect(withoutAttention.deployment.worker).toBeUndefined();
    expect(withoutAttention.deployment.stacks.map((s) => s.stackName)).not.toContain(
      'EngagementOracle-dev-Worker',
    );
  });

  it('leaves every other deployed function all the variables its cold start requires', () => {
    expect(unmetRequirements(withoutAttention)).toEqual([]);
  });
});

describe('a synth from example values', () => {
  it('holds in every template a rule that can never hold, so CloudFormation refuses to deploy it', () => {
    for (const stack of withoutAttention.deployment.stacks) {
      const template = withoutAttention.template(stack).toJSON();
      expect(template.Parameters[EXAMPLE_MARK.parameter]).toMatchObject({
        Default: 'example',
        AllowedValues: ['example'],
      });
      expect(template.Rules[EXAMPLE_MARK.rule].Assertions).toEqual([
        {
          Assert: { 'Fn::Not': [{ 'Fn::Equals': [{ Ref: EXAMPLE_MARK.parameter }, 'example'] }] },
          AssertDescription: expect.stringContaining('example values for an offline synth only'),
        },
      ]);
      expect(template.Metadata[EXAMPLE_MARK.metadata]).toEqual({
        file: expect.stringContaining('no-attention.json'),
        example: true,
      });
    }
  });
});
