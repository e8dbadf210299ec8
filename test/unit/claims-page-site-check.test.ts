/**
 * The deployment check's judgement of the claims page: the bucket deployment performed from its
 * assets and markers, the site it yields, and the API's CORS asked as a browser asks it.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { API_ORIGIN_MARKER } from '../../lib/claims-page-config.ts';
import { corsProblems, performBucketDeployment, siteProblems } from '../deployment/claims-page-site.ts';
import type { CloudAssembly, StackTemplate } from '../deployment/cloud-assembly.ts';
import type { ResolveContext, StandInValue } from '../deployment/references.ts';

const API = 'https://httpapi000.execute-api.us-east-1.amazonaws.com';
const PAGE_DOMAIN = 'd1234567890abc.cloudfront.net';
const dir = mkdtempSync(join(tmpdir(), 'eo-site-check-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const STAND_INS: Record<string, StandInValue> = {
  'Api/HttpApi': { ref: 'httpapi000', attributes: { ApiEndpoint: API } },
  'Site/Distribution': { ref: 'E123', attributes: { DomainName: PAGE_DOMAIN } },
};

function assemblyWith(stacks: StackTemplate[]): CloudAssembly {
  return { dir, stacks };
}
const ctx = (assembly: CloudAssembly, stack = 'Content'): ResolveContext => ({
  assembly,
  stack,
  standIns: (s, id) => STAND_INS[`${s}/${id}`],
});
const stack = (
  name: string,
  resources: StackTemplate['template']['Resources'],
  outputs = {},
): StackTemplate => ({
  name,
  template: { Resources: resources, Outputs: outputs },
  dockerImages: {},
});

/** The assets CDK stages for the page (a directory) and config.json (Source.jsonData). */
function stageAssets(html: string, config: string): Record<string, unknown> {
  const page = join(dir, 'asset.page');
  const data = join(dir, 'asset.data');
  for (const d of [page, data]) rmSync(d, { recursive: true, force: true });
  mkdirSync(page, { recursive: true });
  mkdirSync(data, { recursive: true });
  writeFileSync(join(page, 'index.html'), html);
  writeFileSync(join(page, 'app.js'), 'console.log(1)');
  writeFileSync(join(page, 'styles.css'), 'body{}');
  writeFileSync(join(data, 'config.json'), config);
  writeFileSync(
    join(dir, 'Content.assets.json'),
    JSON.stringify({
      files: {
        page: { source: { path: 'asset.page', packaging: 'zip' } },
        data: { source: { path: 'asset.data', packaging: 'zip' } },
      },
    }),
  );
  const apiUrl = { 'Fn::ImportValue': 'Api:Endpoint' };
  return {
    SourceObjectKeys: ['page.zip', 'data.zip'],
    SourceMarkers: [{ [API_ORIGIN_MARKER]: apiUrl }, { '<<marker:0xbaba:0>>': apiUrl }],
    SourceMarkersConfig: [{}, { jsonEscape: 'true' }],
  };
}

const apiStack = stack(
  'Api',
  {},
  { Endpoint: { Value: { 'Fn::GetAtt': ['HttpApi', 'ApiEndpoint'] }, Export: { Name: 'Api:Endpoint' } } },
);
const HTML = `<!doctype html><html><head>
<meta http-equiv="Content-Security-Policy" content="connect-src 'self' ${API_ORIGIN_MARKER} https://rpc.example.com">
<link rel="stylesheet" href="./styles.css"><script type="module" src="./app.js"></script></head></html>`;
const CONFIG =
  '{"apiBaseUrl":"<<marker:0xbaba:0>>","solanaRpcUrl":"https://rpc.example.com","solanaCluster":"devnet"}';

describe('the claims page as the bucket deployment leaves it', () => {
  it('is whole: index.html, what it references, the policy and config.json naming the stage API', () => {
    const properties = stageAssets(HTML, CONFIG);
    const assembly = assemblyWith([apiStack, stack('Content', {})]);
    const site = join(dir, 'site');
    const files = performBucketDeployment(assembly, { stack: 'Content', properties }, ctx(assembly), site);
    expect(files.sort()).toEqual(['app.js', 'config.json', 'index.html', 'styles.css']);
    expect(siteProblems(site, API)).toEqual([]);
  });

  it('is reported when it names another API, or misses what index.html loads', () => {
    const properties = stageAssets(HTML.replace('./app.js', './app.123.js'), CONFIG);
    const assembly = assemblyWith([apiStack, stack('Content', {})]);
    const site = join(dir, 'site');
    performBucketDeployment(assembly, { stack: 'Content', properties }, ctx(assembly), site);
    const other = 'https://otherapi00.execute-api.us-east-1.amazonaws.com';
    expect(siteProblems(site, other)).toEqual([
      'index.html references ./app.123.js, which the site does not hold',
      `index.html's connect-src policy does not name the API ${other}: connect-src 'self' ${API} https://rpc.example.com`,
      `config.json names the API ${API}, not the stage's ${other}`,
    ]);
  });

  it('is reported when config.json is not what the page reads', () => {
    const properties = stageAssets(HTML, '{"apiBaseUrl":"<<marker:0xbaba:0>>"}');
    const assembly = assemblyWith([apiStack, stack('Content', {})]);
    const site = join(dir, 'site');
    performBucketDeployment(assembly, { stack: 'Content', properties }, ctx(assembly), site);
    expect(siteProblems(site, API)).toEqual(['config.json: solanaRpcUrl is required']);
  });
});

describe("the API's CORS as the template configures it", () => {
  const withCors = (cors: unknown) =>
    assemblyWith([
      stack('Site', { Distribution: { Type: 'AWS::CloudFront::Distribution' } }),
      stack('Api', {
        HttpApi: {
          Type: 'AWS::ApiGatewayV2::Api',
          Properties: { ProtocolType: 'HTTP', ...(cors === undefined ? {} : { CorsConfiguration: cors }) },
        },
      }),
    ]);
  const page = { 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': ['Distribution', 'DomainName'] }]] };
  const routes = ['POST /claims/{user}/transactions', 'GET /claims/{user}', 'DELETE /suppressions/self'];
  const good = {
    AllowOrigins: [page],
    AllowMethods: ['DELETE', 'GET', 'OPTIONS', 'POST'],
    AllowHeaders: ['authorization', 'content-type'],
    MaxAge: 600,
  };

  it('answers the page origin for every route and the foreign origin for none', () => {
    // The Site stack's distribution resolved in its own stack: a page origin from another stack.
    const assembly = withCors({ ...good, AllowOrigins: ['https://claims.example.com'] });
    expect([...corsProblems(assembly, ctx(assembly), routes).values()].flat()[0]).toContain(
      `a preflight from the page origin https://${PAGE_DOMAIN} is refused`,
    );
    const right = withCors({
      ...good,
      AllowOrigins: [{ 'Fn::Join': ['', ['https://', PAGE_DOMAIN]] }, 'https://claims.example.com'],
    });
    expect(corsProblems(right, ctx(right), routes)).toEqual(new Map());
  });

  it('reports a wildcard origin, a missing method and a missing configuration', () => {
    const star = withCors({ ...good, AllowOrigins: ['*'] });
    expect(corsProblems(star, ctx(star), routes).get('GET /claims/{user}')).toContain(
      'CORS allows *: never *',
    );
    const noDelete = withCors({
      ...good,
      AllowOrigins: [`https://${PAGE_DOMAIN}`],
      AllowMethods: ['GET', 'POST'],
    });
    const problems = corsProblems(noDelete, ctx(noDelete), routes);
    expect([...problems.keys()]).toEqual(['DELETE /suppressions/self']);
    const none = withCors(undefined);
    expect(corsProblems(none, ctx(none), routes).get('GET /claims/{user}')?.[0]).toMatch(
      /no CORS configuration/,
    );
  });
});
