import { Aws, CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { claimsPageCsp } from '../claims-page-config.ts';
import { acknowledge } from '../nag.ts';
import type { StageConfig } from '../stage.ts';

export interface ClaimsPageStackProps extends StackProps {
  readonly stage: StageConfig;
  /** The Solana RPC viewers' browsers send claims through (claimsPageSolana in lib/claims-page-config.ts). */
  readonly solanaRpcUrl: string;
}

/**
 * The site bucket's name, known to the content stack without a cross-stack reference (its
 * deployment's grants then name the bucket, and their cdk-nag findings can be acknowledged).
 */
export function claimsPageBucketName(stage: string): string {
  return `engagement-oracle-${stage}-page-${Aws.ACCOUNT_ID}-${Aws.REGION}`;
}

/**
 * The HTTP API's host as CloudFront's header policy can name it before the API exists: this
 * stack is deployed first (the API allows the distribution's origin for CORS), so the header
 * allows the region's execute-api hosts and the page's own meta policy, written with the API's
 * URL by the content stack, narrows connect-src to exactly that API (a browser enforces both).
 */
export function executeApiHosts(region: string): string {
  return `https://*.execute-api.${region}.amazonaws.com`;
}

/**
 * The claims page's hosting: a private bucket read only by its CloudFront distribution (origin
 * access control), HTTPS only, strict security headers, access logs for both. Its content (the
 * built page and config.json, which name the API) is deployed by ClaimsPageContentStack once the
 * API exists.
 */
export class ClaimsPageStack extends Stack {
  readonly bucket: s3.IBucket;
  readonly distribution: cloudfront.Distribution;
  /** `https://<distribution domain>`: what the API allows for CORS and Twitch returns viewers to. */
  readonly pageOrigin: string;

  constructor(scope: Construct, id: string, props: ClaimsPageStackProps) {
    super(scope, id, props);
    // Buckets are kept when the stack is deleted (a bucket that still holds objects cannot be
    // deleted by CloudFormation, and the access logs outlive the stack).
    const logs = new s3.Bucket(this, 'AccessLogs', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      // CloudFront's standard logging writes with an ACL granting the bucket owner the log files.
      objectOwnership: s3.ObjectOwnership.OBJECT_WRITER,
      lifecycleRules: [{ expiration: Duration.days(props.stage.logRetention) }],
      removalPolicy: RemovalPolicy.RETAIN,
      // aws-cdk-lib's classes do not satisfy their own interfaces under exactOptionalPropertyTypes.
    }) as s3.IBucket;
    acknowledge(
      logs,
      'AwsSolutions-S1',
      'This is the access-log bucket of the claims page; logging its own accesses into itself would loop.',
    );
    this.bucket = new s3.Bucket(this, 'Site', {
      bucketName: claimsPageBucketName(props.stage.name),
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      // A bad deploy can be rolled back from the previous versions for a while.
      versioned: true,
      lifecycleRules: [{ noncurrentVersionExpiration: Duration.days(30) }],
      serverAccessLogsBucket: logs,
      serverAccessLogsPrefix: 'site-bucket/',
      removalPolicy: RemovalPolicy.RETAIN,
    }) as s3.IBucket;

    const headers = new cloudfront.ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: 'Claims page: strict CSP, HSTS, no framing, no referrer',
      securityHeadersBehavior: {
        contentSecurityPolicy: {
          contentSecurityPolicy: claimsPageCsp(
            [executeApiHosts(Aws.REGION), new URL(props.solanaRpcUrl).origin],
            { upgradeInsecureRequests: true },
          ),
          override: true,
        },
        strictTransportSecurity: {
          accessControlMaxAge: Duration.days(730),
          includeSubdomains: true,
          override: true,
        },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
        // Twitch returns the viewer with the authorization code in the page's query string: no
        // request the page makes may carry it to another origin.
        referrerPolicy: { referrerPolicy: cloudfront.HeadersReferrerPolicy.NO_REFERRER, override: true },
      },
      customHeadersBehavior: {
        customHeaders: [
          {
            header: 'Permissions-Policy',
            value: 'camera=(), microphone=(), geolocation=(), payment=()',
            override: true,
          },
          // Wallets that sign in a popup need their window to keep its opener.
          { header: 'Cross-Origin-Opener-Policy', value: 'same-origin-allow-popups', override: true },
        ],
      },
    });

    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: `Engagement Oracle claims page (${props.stage.name})`,
      defaultRootObject: 'index.html',
      defaultBehavior: {
        origin: origins.S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: headers,
        compress: true,
      },
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      priceClass: cloudfront.PriceClass.PRICE_CLASS_100,
      enableLogging: true,
      logBucket: logs,
      logFilePrefix: 'distribution/',
    });
    acknowledge(
      this.distribution,
      'AwsSolutions-CFR4',
      "The distribution serves on its default *.cloudfront.net certificate, whose minimum protocol CloudFront fixes; a custom domain with its own certificate (TLSv1.2_2021) is the operator's choice.",
    );
    acknowledge(
      this.distribution,
      'AwsSolutions-CFR1',
      'The claims page is for viewers wherever they watch; no country is excluded.',
    );
    acknowledge(
      this.distribution,
      'AwsSolutions-CFR2',
      'Static files only (GET and HEAD, cached); every request that reaches code goes to the HTTP API, which has its own stage, route and per-IP limits.',
    );
    this.pageOrigin = `https://${this.distribution.distributionDomainName}`;

    new CfnOutput(this, 'ClaimsPageUrl', {
      value: `${this.pageOrigin}/`,
      description: 'The claims page (register it as an OAuth Redirect URL of the Twitch app)',
    });
  }
}
