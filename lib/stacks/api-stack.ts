import { Annotations, type CfnElement, CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaAuthorizer, HttpLambdaResponseType } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration, WebSocketLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventTargets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { AUTHORIZER_CACHE_SECONDS } from '../../layers/shared/src/key-change-budget.ts';
import { AlarmSet } from '../constructs/alarm-set.ts';
import type { NodeFunction } from '../constructs/node-function.ts';
import { corsPolicy } from '../cors.ts';
import { createRegisteredFunction } from '../function-wiring.ts';
import {
  FUNCTIONS,
  type FunctionSpec,
  type HttpRoute,
  type RouteAuth,
  requireEntries,
} from '../functions.ts';
import { acknowledge } from '../nag.ts';
import type { StageConfig } from '../stage.ts';
import { isEnabled, type StageSettings } from '../stage-config.ts';
import type { DataStack } from './data-stack.ts';
import type { PipelineStack } from './pipeline-stack.ts';

export interface ApiStackProps extends StackProps {
  readonly stage: StageConfig;
  readonly data: DataStack;
  readonly pipeline: PipelineStack;
  readonly alarmTopic: sns.ITopic;
  readonly settings: StageSettings;
  /** @default the registry in lib/functions.ts */
  readonly functions?: readonly FunctionSpec[];
  /** Origins whose pages may call the HTTP API from a browser (CORS). @default none: no CORS */
  readonly browserOrigins?: readonly string[];
  /** The claims page: where Twitch returns a viewer when the stage names no TWITCH_REDIRECT_URIS. */
  readonly pageUrl?: string;
}

const HTTP_ACCESS_LOG = AccessLogFormat.custom(
  JSON.stringify({
    requestId: '$context.requestId',
    ip: '$context.identity.sourceIp',
    requestTime: '$context.requestTime',
    routeKey: '$context.routeKey',
    status: '$context.status',
    latencyMs: '$context.responseLatency',
    authorizerError: '$context.authorizer.error',
    integrationError: '$context.integrationErrorMessage',
  }),
);
const WS_ACCESS_LOG = AccessLogFormat.custom(
  JSON.stringify({
    requestId: '$context.requestId',
    ip: '$context.identity.sourceIp',
    requestTime: '$context.requestTime',
    eventType: '$context.eventType',
    routeKey: '$context.routeKey',
    status: '$context.status',
    connectionId: '$context.connectionId',
  }),
);

/** The HTTP API (REST routes, Lambda authorizer, throttling) and the WebSocket price stream. */
export class ApiStack extends Stack {
  readonly httpApi: apigwv2.HttpApi;
  readonly httpStage: apigwv2.HttpStage;
  readonly webSocketApi: apigwv2.WebSocketApi;
  readonly webSocketStage: apigwv2.WebSocketStage;
  readonly functions: Record<string, NodeFunction> = {};
  /** Route keys (`POST /ingest`) created, by function name. */
  readonly routeKeys: Record<string, string[]> = {};

  constructor(scope: Construct, id: string, props: ApiStackProps) {
    super(scope, id, props);
    const { stage, data, pipeline } = props;
    const alarms = new AlarmSet(this, 'Alarms', { topic: props.alarmTopic });
    const specs = (props.functions ?? FUNCTIONS).filter(
      (f) => f.stack === 'api' && isEnabled(props.settings, f.system),
    );
    requireEntries(specs);

    const cors =
      props.browserOrigins === undefined || props.browserOrigins.length === 0
        ? undefined
        : corsPolicy(
            props.browserOrigins,
            specs.flatMap((s) => (s.trigger.kind === 'http' ? s.trigger.routes : [])),
          );
    this.httpApi = new apigwv2.HttpApi(this, 'HttpApi', {
      description: 'Engagement Oracle REST routes',
      createDefaultStage: false,
      // API Gateway answers preflights itself and adds the headers to the integrations' answers.
      ...(cors === undefined
        ? {}
        : {
            corsPreflight: {
              allowOrigins: [...cors.allowOrigins],
              allowMethods: cors.allowMethods.map(
                (m) => apigwv2.CorsHttpMethod[m as keyof typeof apigwv2.CorsHttpMethod],
              ),
              allowHeaders: [...cors.allowHeaders],
              allowCredentials: false,
              maxAge: Duration.seconds(cors.maxAgeSeconds),
            },
          }),
    });
    this.httpStage = new apigwv2.HttpStage(this, 'HttpStage', {
      httpApi: this.httpApi,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: stage.apiRateLimit, burstLimit: stage.apiBurstLimit },
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(this.logGroup('HttpAccessLogs', stage)),
        format: HTTP_ACCESS_LOG,
      },
    });

    this.webSocketApi = new apigwv2.WebSocketApi(this, 'WebSocketApi', {
      description: 'Live price stream (/ws/prices)',
      routeSelectionExpression: '$request.body.action',
    });
    this.webSocketStage = new apigwv2.WebSocketStage(this, 'WebSocketStage', {
      webSocketApi: this.webSocketApi,
      stageName: 'prices',
      autoDeploy: true,
      throttle: { rateLimit: stage.apiRateLimit, burstLimit: stage.apiBurstLimit },
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(this.logGroup('WebSocketAccessLogs', stage)),
        format: WS_ACCESS_LOG,
      },
    });

    const build = (spec: FunctionSpec) => {
      const fn = createRegisteredFunction(this, spec, {
        stage,
        vpc: data.vpc,
        database: data.database,
        secrets: data.secrets,
        tables: data.tables,
        tableIndexes: data.tableIndexes,
        queues: pipeline.queues,
        bus: data.bus,
        alertTopic: props.alarmTopic,
        settings: props.settings,
      });
      if (spec.managesConnections === true) {
        const connections = this.formatArn({
          service: 'execute-api',
          resource: this.webSocketApi.apiId,
          resourceName: `${this.webSocketStage.stageName}/*/@connections/*`,
        });
        fn.function.addToRolePolicy(
          new iam.PolicyStatement({ actions: ['execute-api:ManageConnections'], resources: [connections] }),
        );
        acknowledge(
          fn.function.role ?? fn,
          `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:execute-api:<AWS::Region>:<AWS::AccountId>:<${this.getLogicalId(
            this.webSocketApi.node.defaultChild as CfnElement,
          )}>/${this.webSocketStage.stageName}/*/@connections/*]`,
          'Connection ids are created at run time; the grant is limited to the price stream stage of this API.',
        );
        fn.addEnvironment('WS_CALLBACK_URL', this.webSocketStage.callbackUrl);
      }
      if (spec.namesDeployment === true) fn.addEnvironment('API_ORIGIN', this.httpApi.apiEndpoint);
      const signsIn = spec.settings?.includes('TWITCH_REDIRECT_URIS') === true;
      if (
        signsIn &&
        props.pageUrl !== undefined &&
        props.settings.values['TWITCH_REDIRECT_URIS'] === undefined
      ) {
        fn.addEnvironment('TWITCH_REDIRECT_URIS', props.pageUrl);
      }
      this.functions[spec.name] = fn;
      alarms.watchFunction(spec.name, fn.function);
      return fn;
    };

    const authorizerSpec = specs.find((s) => s.trigger.kind === 'authorizer');
    const authorizers: Partial<Record<RouteAuth, HttpLambdaAuthorizer>> = {};
    if (authorizerSpec !== undefined) {
      const fn = build(authorizerSpec).function;
      const common = {
        responseTypes: [HttpLambdaResponseType.SIMPLE],
        resultsCacheTtl: Duration.seconds(AUTHORIZER_CACHE_SECONDS),
      };
      authorizers.apiKey = new HttpLambdaAuthorizer('IngestApiKeyAuthorizer', fn, {
        ...common,
        identitySource: ['$request.header.x-api-key'],
      });
      authorizers.admin = new HttpLambdaAuthorizer('AdminTokenAuthorizer', fn, {
        ...common,
        identitySource: ['$request.header.Authorization'],
      });
    }

    const routeSettings: Record<string, { ThrottlingRateLimit: number; ThrottlingBurstLimit: number }> = {};
    for (const spec of specs) {
      const trigger = spec.trigger;
      if (trigger.kind === 'authorizer') continue;
      if (trigger.kind === 'http') {
        // A protected route is never exposed without its authorizer.
        const routes = trigger.routes.filter((r) => r.auth === 'none' || authorizers[r.auth] !== undefined);
        for (const r of trigger.routes.filter((x) => !routes.includes(x))) {
          Annotations.of(this).addInfo(
            `${r.method} ${r.path} not deployed: its authorizer does not exist yet`,
          );
        }
        if (routes.length === 0) continue;
        const fn = build(spec).function;
        const integration = new HttpLambdaIntegration(`${spec.name}Integration`, fn);
        this.routeKeys[spec.name] = [];
        for (const route of routes) {
          const created = this.addRoute(route, integration, authorizers);
          const key = `${route.method} ${route.path}`;
          this.routeKeys[spec.name]?.push(key);
          if (route.throttle !== undefined) {
            routeSettings[key] = {
              ThrottlingRateLimit: route.throttle.rate,
              ThrottlingBurstLimit: route.throttle.burst,
            };
            // route settings name the route by key: it must exist before the stage is updated
            for (const r of created) this.httpStage.node.addDependency(r);
          }
        }
      } else if (trigger.kind === 'websocket') {
        const fn = build(spec).function;
        for (const routeKey of trigger.routes) {
          const route = this.webSocketApi.addRoute(routeKey, {
            integration: new WebSocketLambdaIntegration(`${spec.name}${routeId(routeKey)}Integration`, fn),
          });
          acknowledge(
            route,
            'AwsSolutions-APIG4',
            'The live price stream is public data by design; stage throttling applies and connections expire from DynamoDB by TTL.',
          );
        }
      } else if (trigger.kind === 'event') {
        const fn = build(spec).function;
        new events.Rule(this, `${spec.name}Rule`, {
          eventBus: data.bus,
          eventPattern: { detailType: [...trigger.events] },
          targets: [
            new eventTargets.LambdaFunction(fn, { retryAttempts: 2, maxEventAge: Duration.minutes(5) }),
          ],
        });
      } else {
        throw new Error(`${spec.name}: trigger ${trigger.kind} does not belong in the api stack`);
      }
    }
    if (Object.keys(routeSettings).length > 0) {
      const cfnStage = this.httpStage.node.defaultChild as apigwv2.CfnStage;
      cfnStage.addPropertyOverride('RouteSettings', routeSettings);
    }

    new CfnOutput(this, 'HttpApiUrl', { value: this.httpApi.apiEndpoint });
    new CfnOutput(this, 'WebSocketUrl', { value: this.webSocketStage.url });
  }

  private addRoute(
    route: HttpRoute,
    integration: HttpLambdaIntegration,
    authorizers: Partial<Record<RouteAuth, HttpLambdaAuthorizer>>,
  ): apigwv2.HttpRoute[] {
    const authorizer = route.auth === 'none' ? undefined : authorizers[route.auth];
    const created = this.httpApi.addRoutes({
      path: route.path,
      methods: [apigwv2.HttpMethod[route.method]],
      integration,
      ...(authorizer === undefined ? {} : { authorizer }),
    });
    if (authorizer === undefined) {
      for (const r of created) {
        acknowledge(
          r,
          'AwsSolutions-APIG4',
          `${route.method} ${route.path} is public by design (public reads, or a request the handler authenticates by signature or token); stage and route throttling apply, and per-IP limits are counted in DynamoDB where writes are possible.`,
        );
      }
    }
    return created;
  }

  private logGroup(id: string, stage: StageConfig): logs.LogGroup {
    return new logs.LogGroup(this, id, { retention: stage.logRetention, removalPolicy: stage.removalPolicy });
  }
}

function routeId(routeKey: string): string {
  const name = routeKey.replace(/^\$/, '');
  return name.charAt(0).toUpperCase() + name.slice(1);
}
