/**
 * The claims page on AWS: a private bucket only its CloudFront distribution reads (origin access
 * control), HTTPS only, the security headers, and an HTTP API whose CORS allows exactly the
 * page's origin(s), in the dev and prod templates.
 */
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  logicalIdOf,
  nagFindings,
  removeOutput,
  resourcesOf,
  type Synthesized,
  synthesize,
} from './synth.ts';

let dev: Synthesized;
let prod: Synthesized;
let prodAsCommitted: Synthesized;

beforeAll(() => {
  dev = synthesize({ stage: 'dev', config: 'lib/stages/dev.json' });
  // lib/stages/prod.json enables no system yet: prod's sizes with every system of the example.
  prod = synthesize({ stage: 'prod' });
  prodAsCommitted = synthesize({ stage: 'prod', config: 'lib/stages/prod.json' });
});

afterAll(() => removeOutput(dev, prod, prodAsCommitted));

const site = (s: Synthesized): Template => {
  const stack = s.deployment.claimsPage;
  if (stack === undefined) throw new Error(`${s.deployment.settings.file} deploys no claims page`);
  return s.template(stack);
};

/** `https://` + the distribution's domain, as the API stack imports it. */
const pageOrigin = (s: Synthesized) => {
  const stack = s.deployment.claimsPage;
  if (stack === undefined) throw new Error('no claims page');
  const exported = Object.entries(
    s.template(stack).toJSON()['Outputs'] as Record<string, { Value: unknown; Export?: { Name: string } }>,
  ).find(
    ([, o]) => JSON.stringify(o.Value).includes(logicalIdOf(stack.distribution)) && o.Export !== undefined,
  );
  if (exported === undefined) throw new Error('the claims page stack exports no distribution domain');
  return { 'Fn::Join': ['', ['https://', { 'Fn::ImportValue': exported[1].Export?.Name }]] };
};

const httpApiOf = (s: Synthesized) =>
  Object.values(resourcesOf(s.template(s.deployment.api), 'AWS::ApiGatewayV2::Api')).find(
    (r) => r.Properties?.['ProtocolType'] === 'HTTP',
  )?.Properties ?? {};

describe.each([
  ['dev', () => dev],
  ['prod', () => prod],
])('the claims page in %s', (stageName, stageOf) => {
  it('keeps the bucket private: public access blocked, TLS only, encrypted, versioned, access logged', () => {
    const t = site(stageOf());
    const bucketId = logicalIdOf(stageOf().deployment.claimsPage?.bucket ?? (undefined as never));
    t.hasResource('AWS::S3::Bucket', {
      Properties: Match.objectLike({
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
        },
        VersioningConfiguration: { Status: 'Enabled' },
        LoggingConfiguration: Match.objectLike({ DestinationBucketName: Match.anyValue() }),
      }),
    });
    expect(Object.keys(resourcesOf(t, 'AWS::S3::Bucket'))).toContain(bucketId);
    const policy = Object.values(resourcesOf(t, 'AWS::S3::BucketPolicy')).find(
      (p) => JSON.stringify(p.Properties?.['Bucket']) === JSON.stringify({ Ref: bucketId }),
    );
    expect(policy).toBeDefined();
    const statements =
      (policy?.Properties?.['PolicyDocument'] as { Statement: Record<string, unknown>[] } | undefined)
        ?.Statement ?? [];
    const allows = statements.filter((s) => s['Effect'] === 'Allow');
    // Only CloudFront, only reads, only for this distribution.
    expect(allows).toHaveLength(1);
    expect(allows[0]?.['Principal']).toEqual({ Service: 'cloudfront.amazonaws.com' });
    expect(allows[0]?.['Action']).toBe('s3:GetObject');
    expect(JSON.stringify(allows[0]?.['Condition'])).toContain(
      logicalIdOf(stageOf().deployment.claimsPage?.distribution ?? (undefined as never)),
    );
    expect(statements).toContainEqual(
      expect.objectContaining({
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      }),
    );
  });

  it('serves through CloudFront with origin access control, HTTPS only, index.html at the root, logged', () => {
    const t = site(stageOf());
    t.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
      OriginAccessControlConfig: {
        OriginAccessControlOriginType: 's3',
        SigningBehavior: 'always',
        SigningProtocol: 'sigv4',
      },
    });
    t.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        DefaultRootObject: 'index.html',
        DefaultCacheBehavior: Match.objectLike({
          ViewerProtocolPolicy: 'redirect-to-https',
          AllowedMethods: ['GET', 'HEAD'],
          ResponseHeadersPolicyId: Match.anyValue(),
        }),
        Origins: [
          Match.objectLike({
            OriginAccessControlId: { 'Fn::GetAtt': [Match.anyValue(), 'Id'] },
            S3OriginConfig: { OriginAccessIdentity: '' },
          }),
        ],
        Logging: Match.objectLike({ Bucket: Match.anyValue() }),
      }),
    });
  });

  it('sends strict security headers: CSP, HSTS, nosniff, no framing, no referrer', () => {
    const t = site(stageOf());
    const policies = Object.values(resourcesOf(t, 'AWS::CloudFront::ResponseHeadersPolicy'));
    expect(policies).toHaveLength(1);
    const config = policies[0]?.Properties?.['ResponseHeadersPolicyConfig'] as {
      SecurityHeadersConfig: Record<string, Record<string, unknown>>;
    };
    const h = config.SecurityHeadersConfig;
    expect(h['StrictTransportSecurity']).toEqual({
      AccessControlMaxAgeSec: 63072000,
      IncludeSubdomains: true,
      Override: true,
    });
    expect(h['ContentTypeOptions']).toEqual({ Override: true });
    expect(h['FrameOptions']).toEqual({ FrameOption: 'DENY', Override: true });
    expect(h['ReferrerPolicy']).toEqual({ ReferrerPolicy: 'no-referrer', Override: true });
    const joined = h['ContentSecurityPolicy']?.['ContentSecurityPolicy'] as
      | { 'Fn::Join': [string, unknown[]] }
      | undefined;
    const parts = joined?.['Fn::Join'][1] ?? [];
    const csp = parts
      .map((p) =>
        typeof p === 'string' ? p : JSON.stringify(p) === '{"Ref":"AWS::Region"}' ? '<region>' : '?',
      )
      .join('');
    const directives = Object.fromEntries(
      csp.split('; ').map((d) => [d.split(' ')[0], d.split(' ').slice(1).join(' ')] as const),
    );
    const rpc = new URL(stageOf().deployment.settings.values['SOLANA_RPC_URL'] ?? '').origin;
    expect(directives['default-src']).toBe("'self'");
    expect(directives['script-src']).toBe("'self'");
    expect(directives['style-src']).toBe("'self'");
    expect(directives['frame-ancestors']).toBe("'none'");
    expect(directives['object-src']).toBe("'none'");
    // The page, API Gateway hosts of the stack's region (the page's meta policy narrows them to
    // the API), the Solana RPC; nothing else.
    expect(directives['connect-src']).toBe(`'self' https://*.execute-api.<region>.amazonaws.com ${rpc}`);
    expect(csp).not.toContain('unsafe');
  });

  it("deploys the page and a config.json naming the stage's API, then invalidates the distribution", () => {
    const content = stageOf().deployment.claimsPageContent;
    if (content === undefined) throw new Error('no claims page content stack');
    const deployments = Object.values(
      resourcesOf(stageOf().template(content), 'Custom::CDKBucketDeployment'),
    );
    expect(deployments).toHaveLength(1);
    const p = deployments[0]?.Properties ?? {};
    expect(p['Prune']).toBe(true);
    expect(JSON.stringify(p['DistributionId'])).toContain('Fn::ImportValue');
    expect(p['DistributionPaths']).toEqual(['/*']);
    expect(p['DestinationBucketName']).toEqual({
      'Fn::Join': [
        '',
        [`engagement-oracle-${stageName}-page-`, { Ref: 'AWS::AccountId' }, '-', { Ref: 'AWS::Region' }],
      ],
    });
    // The page's asset with the API marker, and config.json: both name the API stack's endpoint.
    const markers = p['SourceMarkers'] as Record<string, unknown>[];
    expect(markers).toHaveLength(2);
    expect(Object.keys(markers[0] ?? {})).toEqual(['__CLAIMS_PAGE_API_ORIGIN__']);
    for (const m of markers) {
      for (const value of Object.values(m)) expect(JSON.stringify(value)).toMatch(/Fn::ImportValue.*HttpApi/);
    }
  });

  it('passes cdk-nag with every acknowledgement justified', () => {
    const own = nagFindings(stageOf().app).filter((f) => / at EngagementOracle-[a-z]+-ClaimsPage/.test(f));
    expect(own).toEqual([]);
  });
});

describe('CORS on the HTTP API', () => {
  it('allows exactly the page origin in dev, which names no other', () => {
    const cors = httpApiOf(dev)['CorsConfiguration'] as Record<string, unknown>;
    expect(cors['AllowOrigins']).toEqual([pageOrigin(dev)]);
    expect(cors['AllowCredentials']).toBe(false);
    expect(cors['AllowHeaders']).toEqual(['authorization', 'content-type']);
    expect(cors['AllowMethods']).toEqual(expect.arrayContaining(['GET', 'POST', 'OPTIONS']));
    expect(cors['AllowMethods']).not.toContain('*');
  });

  it('allows the page origin and the stage’s CLAIMS_PAGE_EXTRA_ORIGINS, never *', () => {
    const cors = httpApiOf(prod)['CorsConfiguration'] as Record<string, unknown>;
    expect(cors['AllowOrigins']).toEqual([pageOrigin(prod), 'https://claims.example.com']);
    expect(JSON.stringify(cors)).not.toContain('"*"');
  });

  it('is absent where the stage deploys no claims page', () => {
    expect(prodAsCommitted.deployment.claimsPage).toBeUndefined();
    expect(prodAsCommitted.deployment.claimsPageContent).toBeUndefined();
    expect(httpApiOf(prodAsCommitted)['CorsConfiguration']).toBeUndefined();
  });
});

describe('the Twitch sign-in redirect', () => {
  const redirectOf = (s: Synthesized) => {
    const fn = s.deployment.api.functions['WalletsApi'];
    if (fn === undefined) throw new Error('no WalletsApi');
    const props = s.template(s.deployment.api).toJSON()['Resources'][logicalIdOf(fn.function)]['Properties'];
    return props['Environment']['Variables']['TWITCH_REDIRECT_URIS'] as unknown;
  };

  it('returns viewers to the claims page where the stage names no redirect URI', () => {
    expect(dev.deployment.settings.values['TWITCH_REDIRECT_URIS']).toBeUndefined();
    expect(redirectOf(dev)).toEqual({
      'Fn::Join': ['', ['https://', (pageOrigin(dev)['Fn::Join'][1] as unknown[])[1], '/']],
    });
  });

  it('keeps the redirect URIs a stage names', () => {
    expect(redirectOf(prod)).toBe('https://claims.example.com/');
  });
});
