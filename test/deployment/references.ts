/**
 * Resolves CloudFormation intrinsics (`Ref`, `Fn::GetAtt`, `Fn::Join`, `Fn::Sub`, `Fn::Select`,
 * `Fn::ImportValue`) to the local stand-in of the resource they name. What cannot be resolved is
 * an error naming the expression, never a guess.
 */
import type { CfnValue, CloudAssembly } from './cloud-assembly.ts';

export const PSEUDO_PARAMETERS: Readonly<Record<string, string>> = {
  'AWS::Region': 'us-east-1',
  'AWS::AccountId': '000000000000',
  'AWS::Partition': 'aws',
  'AWS::URLSuffix': 'amazonaws.com',
  'AWS::NoValue': '',
};

/** The stand-in of one resource: what its `Ref` and each `Fn::GetAtt` attribute resolve to. */
export interface StandInValue {
  readonly ref?: string;
  readonly attributes?: Readonly<Record<string, string>>;
}

/** Looks up the stand-in of a resource (stack name, logical id). */
export type StandInLookup = (stack: string, logicalId: string) => StandInValue | undefined;

export class UnresolvedReference extends Error {
  override readonly name = 'UnresolvedReference';
}

export interface ResolveContext {
  readonly assembly: CloudAssembly;
  readonly stack: string;
  readonly standIns: StandInLookup;
}

export function resolveValue(value: CfnValue, ctx: ResolveContext): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new UnresolvedReference(`cannot resolve ${JSON.stringify(value)}`);
  }
  const entries = Object.entries(value as Record<string, CfnValue>);
  const [fn, arg] = entries[0] ?? [];
  if (entries.length !== 1 || fn === undefined) {
    throw new UnresolvedReference(`cannot resolve ${JSON.stringify(value)}`);
  }
  switch (fn) {
    case 'Ref':
      return resolveRef(String(arg), ctx);
    case 'Fn::GetAtt': {
      const [id, attribute] = Array.isArray(arg) ? arg : String(arg).split(/\.(.*)/s);
      return resolveGetAtt(String(id), String(attribute), ctx);
    }
    case 'Fn::Join': {
      const [separator, parts] = arg as [string, CfnValue[]];
      return parts.map((part) => resolveValue(part, ctx)).join(separator);
    }
    case 'Fn::Select': {
      const [index, list] = arg as [CfnValue, CfnValue[]];
      const item = list[Number(resolveValue(index, ctx))];
      if (item === undefined)
        throw new UnresolvedReference(`Fn::Select out of range: ${JSON.stringify(arg)}`);
      return resolveValue(item, ctx);
    }
    case 'Fn::Sub':
      return resolveSub(arg, ctx);
    case 'Fn::ImportValue':
      return resolveImport(resolveValue(arg, ctx), ctx);
    default:
      throw new UnresolvedReference(`cannot resolve ${fn} (${JSON.stringify(arg)})`);
  }
}

function resolveRef(name: string, ctx: ResolveContext): string {
  if (name === 'AWS::StackName') return ctx.stack;
  const pseudo = PSEUDO_PARAMETERS[name];
  if (pseudo !== undefined) return pseudo;
  const ref = ctx.standIns(ctx.stack, name)?.ref;
  if (ref === undefined) throw new UnresolvedReference(`no stand-in for { Ref: ${name} } in ${ctx.stack}`);
  return ref;
}

function resolveGetAtt(id: string, attribute: string, ctx: ResolveContext): string {
  const value = ctx.standIns(ctx.stack, id)?.attributes?.[attribute];
  if (value === undefined) {
    throw new UnresolvedReference(`no stand-in for { Fn::GetAtt: [${id}, ${attribute}] } in ${ctx.stack}`);
  }
  return value;
}

function resolveSub(arg: CfnValue, ctx: ResolveContext): string {
  const [text, variables] = Array.isArray(arg)
    ? (arg as [string, Record<string, CfnValue>])
    : [String(arg), {}];
  return text.replace(/\$\{(!?)([^}]+)\}/g, (_match, literal: string, name: string) => {
    if (literal === '!') return `\${${name}}`;
    const given = variables[name];
    if (given !== undefined) return resolveValue(given, ctx);
    const dot = name.indexOf('.');
    return dot < 0 || name.startsWith('AWS::')
      ? resolveRef(name, ctx)
      : resolveGetAtt(name.slice(0, dot), name.slice(dot + 1), ctx);
  });
}

/** A cross-stack reference: the exporting stack's output, resolved in that stack. */
function resolveImport(exportName: string, ctx: ResolveContext): string {
  for (const stack of ctx.assembly.stacks) {
    for (const output of Object.values(stack.template.Outputs ?? {})) {
      if (output.Export === undefined) continue;
      const name = resolveValue(output.Export.Name, { ...ctx, stack: stack.name });
      if (name === exportName) return resolveValue(output.Value, { ...ctx, stack: stack.name });
    }
  }
  throw new UnresolvedReference(`no stack exports ${exportName}`);
}

/**
 * Resolves every variable; an unresolvable one is reported by name (the function then fails
 * the check), the others are returned resolved.
 */
export function resolveVariables(
  variables: Readonly<Record<string, CfnValue>>,
  ctx: ResolveContext,
): { env: Record<string, string>; problems: string[] } {
  const env: Record<string, string> = {};
  const problems: string[] = [];
  for (const [name, value] of Object.entries(variables)) {
    try {
      env[name] = resolveValue(value, ctx);
    } catch (error) {
      if (!(error instanceof UnresolvedReference)) throw error;
      problems.push(`${name}: ${error.message}`);
    }
  }
  return { env, problems };
}
