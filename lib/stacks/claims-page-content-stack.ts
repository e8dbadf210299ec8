import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Aws, DockerImage, Stack, type StackProps } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import type { Construct } from 'constructs';
import {
  API_ORIGIN_MARKER,
  CLAIMS_PAGE_SOURCE,
  type ClaimsPageConfig,
  type ClaimsPageSolana,
} from '../claims-page-config.ts';
import { REPO_ROOT } from '../functions.ts';
import { acknowledge, NAG } from '../nag.ts';
import type { StageConfig } from '../stage.ts';
import { type ClaimsPageStack, claimsPageBucketName } from './claims-page-stack.ts';

export interface ClaimsPageContentStackProps extends StackProps {
  readonly stage: StageConfig;
  readonly site: ClaimsPageStack;
  /** The HTTP API's URL (`https://{id}.execute-api.{region}.amazonaws.com`). */
  readonly apiUrl: string;
  readonly solana: ClaimsPageSolana;
}

/** Adds markers to a source: the bucket deployment replaces them in every file of that source. */
function withMarkers(source: s3deploy.ISource, markers: Record<string, string>): s3deploy.ISource {
  return {
    bind: (scope, context) => {
      const config = source.bind(scope, context);
      return { ...config, markers: { ...config.markers, ...markers } };
    },
  };
}

/**
 * The built claims page and its config.json in the site bucket, the distribution invalidated.
 * A stack of its own, after the site and the API: config.json names the API, whose CORS names
 * the site's distribution.
 */
export class ClaimsPageContentStack extends Stack {
  readonly deployment: s3deploy.BucketDeployment;

  constructor(scope: Construct, id: string, props: ClaimsPageContentStackProps) {
    super(scope, id, props);
    const rpcOrigin = new URL(props.solana.rpcUrl).origin;
    const tsx = createRequire(join(REPO_ROOT, 'package.json')).resolve('tsx');
    // esbuild runs here, as for the functions; no container is needed (the image is never pulled).
    const page = s3deploy.Source.asset(CLAIMS_PAGE_SOURCE, {
      bundling: {
        image: DockerImage.fromRegistry('public.ecr.aws/docker/library/node:20'),
        local: {
          tryBundle(outputDir) {
            execFileSync(
              process.execPath,
              ['--import', tsx, join(REPO_ROOT, 'lib/claims-page-bundle.ts'), outputDir, rpcOrigin],
              { cwd: REPO_ROOT, stdio: 'inherit' },
            );
            return true;
          },
        },
      },
    });
    const config: ClaimsPageConfig = {
      apiBaseUrl: props.apiUrl,
      solanaRpcUrl: props.solana.rpcUrl,
      solanaCluster: props.solana.cluster,
    };
    this.deployment = new s3deploy.BucketDeployment(this, 'Page', {
      sources: [
        withMarkers(page, { [API_ORIGIN_MARKER]: props.apiUrl }),
        s3deploy.Source.jsonData('config.json', config),
      ],
      destinationBucket: s3.Bucket.fromBucketName(this, 'SiteBucket', claimsPageBucketName(props.stage.name)),
      distribution: props.site.distribution,
      distributionPaths: ['/*'],
      prune: true,
      // Browsers revalidate (ETag) rather than keep a page that names an old API or RPC.
      cacheControl: [s3deploy.CacheControl.noCache()],
      memoryLimit: 512,
      logGroup: new logs.LogGroup(this, 'PageDeploymentLogs', {
        retention: props.stage.logRetention,
        removalPolicy: props.stage.removalPolicy,
      }),
    });
    acknowledge(
      this,
      NAG.basicExecutionRole,
      "CDK's bucket deployment function writes its logs with the basic execution role; it runs only during deployments.",
    );
    // CDK's grants to its bucket deployment function: read the page's asset, write (and prune) the
    // site bucket's objects, invalidate the distribution (CloudFront has no resource-level grant for it).
    for (const finding of [
      'Action::s3:GetObject*',
      'Action::s3:GetBucket*',
      'Action::s3:List*',
      'Action::s3:Abort*',
      'Action::s3:DeleteObject*',
      'Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-<AWS::Region>/*',
      `Resource::arn:<AWS::Partition>:s3:::${claimsPageBucketName(props.stage.name)
        .replace(Aws.ACCOUNT_ID, '<AWS::AccountId>')
        .replace(Aws.REGION, '<AWS::Region>')}/*`,
      'Resource::*',
    ]) {
      acknowledge(
        this,
        `AwsSolutions-IAM5[${finding}]`,
        "CDK's bucket deployment copies the page's asset into the site bucket and prunes what the page no longer has (object-level actions on those two buckets only) and invalidates the distribution, which has no resource-level permission; it runs only during deployments.",
      );
    }
    acknowledge(
      this,
      'AwsSolutions-L1',
      "CDK's bucket deployment function runs on the runtime CDK ships it for (Python, with the AWS CLI layer).",
    );
  }
}
