/**
 * The claims page of a synthesized stage. CDK's bucket deployment is Python with the AWS CLI
 * (`aws s3 sync`), which the check cannot run as it runs our Node functions; the check performs
 * it from the same inputs instead (each source asset's files, its markers replaced by their
 * resolved values, as the handler does) and judges the site that results: index.html, the files
 * it references, its meta policy naming the API, config.json valid for the page and naming the
 * stage's API. And every route of the HTTP API is asked the preflight a browser sends, from the
 * page's origin and from a foreign one, against the CORS configuration the template holds.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { claimsPageConfig } from '../../functions/web/claims-page/src/config.ts';
import { API_ORIGIN_MARKER } from '../../lib/claims-page-config.ts';
import { CORS_ALLOWED_HEADERS, corsHeaders } from '../../lib/cors.ts';
import { type CfnValue, type CloudAssembly, resourcesOfType } from './cloud-assembly.ts';
import { type ResolveContext, resolveValue, UnresolvedReference } from './references.ts';

export const BUCKET_DEPLOYMENT = 'Custom::CDKBucketDeployment';
/** The origin of a page no stage configures. */
export const FOREIGN_ORIGIN = 'https://deployment-check.invalid';

/** The directory `cdk synth` staged an asset into, from its object key (`<hash>.zip`). */
function assetDirectory(assembly: CloudAssembly, stack: string, objectKey: string): string {
  const hash = objectKey.replace(/\.zip$/, '');
  const assets = JSON.parse(readFileSync(join(assembly.dir, `${stack}.assets.json`), 'utf8')) as {
    files?: Record<string, { source: { path: string; packaging?: string } }>;
  };
  const source = assets.files?.[hash]?.source;
  if (source === undefined) throw new Error(`${stack} has no asset ${hash}`);
  const path = join(assembly.dir, source.path);
  if (!statSync(path).isDirectory()) throw new Error(`asset ${hash} is not a directory (${source.path})`);
  return path;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) =>
    statSync(join(dir, f)).isFile(),
  );
}

/**
 * What the bucket deployment writes into its bucket, written into `outDir`: the sources in order,
 * each one's markers replaced (JSON-escaped where its markers config says so).
 */
export function performBucketDeployment(
  assembly: CloudAssembly,
  resource: { readonly stack: string; readonly properties: Record<string, unknown> },
  ctx: ResolveContext,
  outDir: string,
): string[] {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const keys = (resource.properties['SourceObjectKeys'] ?? []) as CfnValue[];
  const markers = (resource.properties['SourceMarkers'] ?? []) as Record<string, CfnValue>[];
  const configs = (resource.properties['SourceMarkersConfig'] ?? []) as { jsonEscape?: unknown }[];
  keys.forEach((key, i) => {
    const dir = assetDirectory(assembly, resource.stack, resolveValue(key, ctx));
    const jsonEscape = String(configs[i]?.jsonEscape ?? 'false') === 'true';
    const replacements = Object.entries(markers[i] ?? {}).map(([marker, value]) => {
      const text = resolveValue(value, ctx);
      return [marker, jsonEscape ? JSON.stringify(text).slice(1, -1) : text] as const;
    });
    for (const file of filesUnder(dir)) {
      let body = readFileSync(join(dir, file));
      if (replacements.length > 0) {
        let text = body.toString('latin1');
        for (const [marker, value] of replacements) text = text.replaceAll(marker, value);
        body = Buffer.from(text, 'latin1');
      }
      mkdirSync(dirname(join(outDir, file)), { recursive: true });
      writeFileSync(join(outDir, file), body);
    }
  });
  return filesUnder(outDir).map((f) => relative(outDir, join(outDir, f)));
}

/** What is wrong with the deployed page, given the API it must name; empty when nothing is. */
export function siteProblems(siteDir: string, apiUrl: string): string[] {
  const problems: string[] = [];
  const index = join(siteDir, 'index.html');
  if (!existsSync(index)) return ['the site has no index.html (the distribution serves it at /)'];
  const html = readFileSync(index, 'utf8');
  const referenced = [...html.matchAll(/\b(?:src|href)="([^"]+)"/g)]
    .map((m) => m[1] ?? '')
    .filter((ref) => !/^(?:[a-z]+:|#|\/\/)/i.test(ref));
  if (!referenced.some((ref) => ref.endsWith('.js'))) problems.push('index.html references no script bundle');
  for (const ref of referenced) {
    const path = join(siteDir, new URL(ref, 'https://page.invalid/').pathname);
    if (!existsSync(path)) problems.push(`index.html references ${ref}, which the site does not hold`);
  }
  for (const file of filesUnder(siteDir)) {
    const text = readFileSync(join(siteDir, file), 'latin1');
    if (text.includes(API_ORIGIN_MARKER) || text.includes('<<marker:'))
      problems.push(`${file} still holds an unreplaced deployment marker`);
  }
  const meta = /<meta http-equiv="Content-Security-Policy" content="([^"]*)"/i.exec(html)?.[1];
  const connect = meta?.split(';').find((d) => d.trim().startsWith('connect-src'));
  if (connect === undefined || !connect.split(/\s+/).includes(new URL(apiUrl).origin))
    problems.push(`index.html's connect-src policy does not name the API ${apiUrl}: ${connect ?? 'none'}`);
  let config: unknown;
  try {
    config = JSON.parse(readFileSync(join(siteDir, 'config.json'), 'utf8'));
  } catch (error) {
    return [...problems, `config.json is missing or not JSON: ${(error as Error).message}`];
  }
  const parsed = claimsPageConfig.safeParse(config);
  if (!parsed.success) problems.push(`config.json: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  else if (parsed.data.apiBaseUrl !== apiUrl.replace(/\/+$/, ''))
    problems.push(`config.json names the API ${parsed.data.apiBaseUrl}, not the stage's ${apiUrl}`);
  return problems;
}

/** The page origins of the stage: each CloudFront distribution's https origin, resolved. */
export function pageOrigins(assembly: CloudAssembly, ctx: ResolveContext): string[] {
  return resourcesOfType(assembly, 'AWS::CloudFront::Distribution').map(
    ({ stack, logicalId }) =>
      `https://${resolveValue({ 'Fn::GetAtt': [logicalId, 'DomainName'] }, { ...ctx, stack })}`,
  );
}

/**
 * Problems of the preflights of `routes` (route keys) against the HTTP API's CORS configuration:
 * each page origin must be answered for the route's method with the headers the page sends; a
 * foreign origin must get no CORS header; `*` is never an allowed origin.
 */
export function corsProblems(
  assembly: CloudAssembly,
  ctx: ResolveContext,
  routes: readonly string[],
): Map<string, string[]> {
  const problems = new Map<string, string[]>();
  const add = (routeKey: string, problem: string) =>
    problems.set(routeKey, [...(problems.get(routeKey) ?? []), problem]);
  const origins = pageOrigins(assembly, ctx);
  const api = resourcesOfType(assembly, 'AWS::ApiGatewayV2::Api').find(
    ({ resource }) => resource.Properties?.['ProtocolType'] === 'HTTP',
  );
  if (api === undefined || origins.length === 0) return problems;
  const cors = api.resource.Properties?.['CorsConfiguration'] as
    | { AllowOrigins?: CfnValue[]; AllowMethods?: string[]; AllowHeaders?: string[]; MaxAge?: number }
    | undefined;
  if (cors === undefined) {
    for (const routeKey of routes)
      add(routeKey, 'the HTTP API has no CORS configuration: the claims page cannot call it');
    return problems;
  }
  let allowOrigins: string[];
  try {
    allowOrigins = (cors.AllowOrigins ?? []).map((o) => resolveValue(o, { ...ctx, stack: api.stack }));
  } catch (error) {
    if (!(error instanceof UnresolvedReference)) throw error;
    for (const routeKey of routes) add(routeKey, `CORS origins: ${error.message}`);
    return problems;
  }
  const policy = {
    allowOrigins,
    allowMethods: cors.AllowMethods ?? [],
    allowHeaders: cors.AllowHeaders ?? [],
    maxAgeSeconds: cors.MaxAge ?? 0,
  };
  for (const routeKey of routes) {
    const method = routeKey.split(' ')[0] ?? '';
    const preflight = (origin: string) =>
      corsHeaders(policy, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': method,
          'access-control-request-headers': CORS_ALLOWED_HEADERS.join(','),
        },
      });
    if (allowOrigins.some((o) => o.includes('*')))
      add(routeKey, `CORS allows ${allowOrigins.join(', ')}: never *`);
    for (const origin of origins) {
      if (preflight(origin)['access-control-allow-origin'] !== origin)
        add(
          routeKey,
          `a preflight from the page origin ${origin} is refused by the API's CORS configuration`,
        );
    }
    const foreign = preflight(FOREIGN_ORIGIN);
    if (Object.keys(foreign).length > 0)
      add(
        routeKey,
        `a preflight from the foreign origin ${FOREIGN_ORIGIN} is answered: ${JSON.stringify(foreign)}`,
      );
  }
  return problems;
}
