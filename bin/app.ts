#!/usr/bin/env node
/** The CDK app (`cdk synth`, `cdk deploy`): every stack, checked by cdk-nag's AwsSolutions pack. */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { buildDeployment } from '../lib/app.ts';

const app = new App();
buildDeployment(app);
// cdk-nag 3 is a policy-validation plugin: any unacknowledged finding fails the synth.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
app.synth();
