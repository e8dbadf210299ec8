/**
 * What triggers each function, read from the templates alone: Scheduler schedules, SQS event
 * source mappings, HTTP and WebSocket routes (through their integrations), HTTP authorizers,
 * EventBridge rules, and custom resources (through the provider framework's onEvent function).
 */
import {
  type CfnValue,
  type CloudAssembly,
  findResource,
  referencedId,
  resourcesOfType,
} from './cloud-assembly.ts';

export interface Triggers {
  readonly schedules: { id: string; input: string | undefined }[];
  readonly queues: { queueLogicalId: string; batchSize: number }[];
  readonly httpRoutes: { routeKey: string; apiId: string; authorizer?: { identitySource: string[] } }[];
  readonly authorizers: { logicalId: string; identitySource: string[]; apiId: string }[];
  readonly webSocketRoutes: { routeKey: string; apiId: string; stage: string }[];
  readonly rules: { pattern: Record<string, unknown> }[];
  readonly customResources: { logicalId: string; type: string; properties: Record<string, unknown> }[];
}

const empty = (): Triggers => ({
  schedules: [],
  queues: [],
  httpRoutes: [],
  authorizers: [],
  webSocketRoutes: [],
  rules: [],
  customResources: [],
});

/** Every Lambda function the value mentions through `Fn::GetAtt [fn, Arn]` or `Ref`, at any depth. */
function functionsIn(value: CfnValue, stack: string, assembly: CloudAssembly): string[] {
  const found: string[] = [];
  const visit = (v: CfnValue) => {
    const id = referencedId(v);
    if (id !== undefined && findResource(assembly, stack, id)?.Type === 'AWS::Lambda::Function')
      found.push(id);
    if (Array.isArray(v)) v.forEach(visit);
    else if (typeof v === 'object' && v !== null) Object.values(v).forEach(visit);
  };
  visit(value);
  return found;
}

/** Triggers by `<stack>/<function logical id>`. */
export function readTriggers(assembly: CloudAssembly): Map<string, Triggers> {
  const map = new Map<string, Triggers>();
  const of = (stack: string, id: string) => {
    const key = `${stack}/${id}`;
    const t = map.get(key) ?? empty();
    map.set(key, t);
    return t;
  };
  for (const { stack, logicalId, resource } of resourcesOfType(assembly, 'AWS::Scheduler::Schedule')) {
    const target = resource.Properties?.['Target'] as { Arn: CfnValue; Input?: string };
    for (const fn of functionsIn(target.Arn, stack, assembly))
      of(stack, fn).schedules.push({ id: logicalId, input: target.Input });
  }
  for (const { stack, resource } of resourcesOfType(assembly, 'AWS::Lambda::EventSourceMapping')) {
    const queue = referencedId(resource.Properties?.['EventSourceArn']);
    for (const fn of functionsIn(resource.Properties?.['FunctionName'], stack, assembly)) {
      if (queue !== undefined) {
        of(stack, fn).queues.push({
          queueLogicalId: queue,
          batchSize: Number(resource.Properties?.['BatchSize'] ?? 10),
        });
      }
    }
  }
  const authorizers = new Map<string, { identitySource: string[] }>();
  for (const { stack, logicalId, resource } of resourcesOfType(assembly, 'AWS::ApiGatewayV2::Authorizer')) {
    const identitySource = (resource.Properties?.['IdentitySource'] ?? []) as string[];
    authorizers.set(`${stack}/${logicalId}`, { identitySource });
    const apiId = referencedId(resource.Properties?.['ApiId']) ?? '';
    for (const fn of functionsIn(resource.Properties?.['AuthorizerUri'], stack, assembly)) {
      of(stack, fn).authorizers.push({ logicalId, identitySource, apiId });
    }
  }
  const stages = new Map<string, string>();
  for (const { stack, resource } of resourcesOfType(assembly, 'AWS::ApiGatewayV2::Stage')) {
    stages.set(
      `${stack}/${referencedId(resource.Properties?.['ApiId'])}`,
      String(resource.Properties?.['StageName']),
    );
  }
  for (const { stack, resource } of resourcesOfType(assembly, 'AWS::ApiGatewayV2::Route')) {
    const p = resource.Properties ?? {};
    const apiId = referencedId(p['ApiId']) ?? '';
    const integration = findResource(assembly, stack, referencedTarget(p['Target']) ?? '');
    const protocol = findResource(assembly, stack, apiId)?.Properties?.['ProtocolType'];
    for (const fn of functionsIn(integration?.Properties?.['IntegrationUri'], stack, assembly)) {
      const routeKey = String(p['RouteKey']);
      if (protocol === 'WEBSOCKET') {
        of(stack, fn).webSocketRoutes.push({ routeKey, apiId, stage: stages.get(`${stack}/${apiId}`) ?? '' });
        continue;
      }
      const authorizer =
        p['AuthorizationType'] === 'CUSTOM'
          ? authorizers.get(`${stack}/${referencedId(p['AuthorizerId'])}`)
          : undefined;
      of(stack, fn).httpRoutes.push({ routeKey, apiId, ...(authorizer === undefined ? {} : { authorizer }) });
    }
  }
  for (const { stack, resource } of resourcesOfType(assembly, 'AWS::Events::Rule')) {
    const pattern = (resource.Properties?.['EventPattern'] ?? {}) as Record<string, unknown>;
    for (const target of (resource.Properties?.['Targets'] ?? []) as { Arn: CfnValue }[]) {
      for (const fn of functionsIn(target.Arn, stack, assembly)) of(stack, fn).rules.push({ pattern });
    }
  }
  for (const stack of assembly.stacks) {
    for (const [logicalId, resource] of Object.entries(stack.template.Resources)) {
      if (!resource.Type.startsWith('Custom::') && resource.Type !== 'AWS::CloudFormation::CustomResource')
        continue;
      const properties = resource.Properties ?? {};
      for (const provider of functionsIn(properties['ServiceToken'], stack.name, assembly)) {
        const vars = (
          findResource(assembly, stack.name, provider)?.Properties?.['Environment'] as {
            Variables?: Record<string, CfnValue>;
          }
        )?.Variables;
        // The provider framework forwards to the function USER_ON_EVENT_FUNCTION_ARN names.
        const targets =
          vars?.['USER_ON_EVENT_FUNCTION_ARN'] === undefined
            ? [provider]
            : functionsIn(vars['USER_ON_EVENT_FUNCTION_ARN'], stack.name, assembly);
        for (const fn of targets)
          of(stack.name, fn).customResources.push({ logicalId, type: resource.Type, properties });
      }
    }
  }
  return map;
}

/** `integrations/<id>` → id. */
function referencedTarget(target: CfnValue): string | undefined {
  const join = (target as { 'Fn::Join'?: [string, CfnValue[]] } | undefined)?.['Fn::Join'];
  return join === undefined ? undefined : join[1].map(referencedId).find((id) => id !== undefined);
}

export function describeTrigger(t: Triggers | undefined): string {
  if (t === undefined) return 'none';
  const parts = [
    ...t.customResources.map((c) => `custom resource ${c.logicalId}`),
    ...t.schedules.map((s) => `schedule ${s.id}`),
    ...t.queues.map((q) => `queue ${q.queueLogicalId}`),
    ...t.authorizers.map((a) => `authorizer ${a.logicalId}`),
    ...t.httpRoutes.map((r) => r.routeKey),
    ...(t.webSocketRoutes.length > 0
      ? [`websocket ${t.webSocketRoutes.map((r) => r.routeKey).join(',')}`]
      : []),
    ...t.rules.map((r) => `rule ${JSON.stringify(r.pattern['detail-type'] ?? r.pattern)}`),
  ];
  const text = parts.join('; ');
  return text.length > 120 ? `${text.slice(0, 117)}…` : text || 'none';
}
