/**
 * cdk-nag (AwsSolutions pack) acknowledgements. cdk-nag 3 runs as a CDK policy-validation plugin and
 * reads acknowledgements from `Validations.of(construct).acknowledge(...)`; each one here and in the
 * constructs names the exact finding and why it is accepted.
 */
import { type CfnElement, Stack, Validations } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IConstruct } from 'constructs';
import type { Deployment } from './app.ts';

export const NAG = {
  basicExecutionRole:
    'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
  vpcAccessExecutionRole:
    'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole]',
  wildcardResource: 'AwsSolutions-IAM5[Resource::*]',
} as const;

export function acknowledge(scope: IConstruct, id: string, reason: string): void {
  Validations.of(scope).acknowledge({ id, reason });
}

/** The IAM5 finding for a policy that allows every version and alias of a function (`<fn>.Arn:*`). */
export function functionVersionsFinding(fn: IFunction): string {
  const cfn = fn.node.defaultChild as CfnElement;
  return `AwsSolutions-IAM5[Resource::<${Stack.of(fn).getLogicalId(cfn)}.Arn>:*]`;
}

/** Acknowledgements that depend on the stage rather than on one construct. */
export function acknowledgeFindings(d: Deployment): void {
  if (!d.stage.deletionProtection) {
    acknowledge(
      d.data.cluster,
      'AwsSolutions-RDS10',
      'Deletion protection is on in prod; dev clusters are disposable and must be deletable with the stack.',
    );
  }
}
