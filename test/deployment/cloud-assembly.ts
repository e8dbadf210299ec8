/**
 * What `cdk synth` wrote: the stack templates and their assets. The deployment check reads only
 * this, never the function registry, because the templates and bundles are what AWS receives.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export type CfnValue = unknown;

export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, CfnValue>;
  readonly Metadata?: Record<string, CfnValue>;
}

export interface CfnTemplate {
  readonly Resources: Record<string, CfnResource>;
  readonly Outputs?: Record<
    string,
    { readonly Value: CfnValue; readonly Export?: { readonly Name: CfnValue } }
  >;
}

export interface StackTemplate {
  readonly name: string;
  readonly template: CfnTemplate;
  /** Container images of the stack: asset hash → build context directory and Dockerfile. */
  readonly dockerImages: Readonly<Record<string, { directory: string; dockerFile: string }>>;
}

/** A deployed Lambda function as the template declares it. */
export interface LambdaFunction {
  readonly stack: string;
  readonly logicalId: string;
  readonly handler: string;
  readonly runtime: string;
  readonly timeoutSeconds: number;
  readonly memoryMb: number;
  /** Absolute path of the bundled asset (what Lambda unpacks into /var/task). */
  readonly assetDir: string;
  readonly variables: Readonly<Record<string, CfnValue>>;
}

export interface CloudAssembly {
  readonly dir: string;
  readonly stacks: readonly StackTemplate[];
}

export function loadCloudAssembly(dir: string): CloudAssembly {
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as {
    artifacts?: Record<string, { type: string; properties?: { templateFile?: string } }>;
  };
  const stacks: StackTemplate[] = [];
  for (const [name, artifact] of Object.entries(manifest.artifacts ?? {})) {
    if (artifact.type !== 'aws:cloudformation:stack') continue;
    const templateFile = artifact.properties?.templateFile ?? `${name}.template.json`;
    const template = JSON.parse(readFileSync(join(dir, templateFile), 'utf8')) as CfnTemplate;
    stacks.push({ name, template, dockerImages: readDockerImages(dir, name) });
  }
  return { dir, stacks };
}

function readDockerImages(dir: string, stack: string): StackTemplate['dockerImages'] {
  let assets: { dockerImages?: Record<string, { source: { directory: string; dockerFile?: string } }> };
  try {
    assets = JSON.parse(readFileSync(join(dir, `${stack}.assets.json`), 'utf8')) as typeof assets;
  } catch {
    return {};
  }
  return Object.fromEntries(
    Object.entries(assets.dockerImages ?? {}).map(([hash, image]) => [
      hash,
      { directory: join(dir, image.source.directory), dockerFile: image.source.dockerFile ?? 'Dockerfile' },
    ]),
  );
}

export function resourcesOfType(
  assembly: CloudAssembly,
  type: string,
): { stack: string; logicalId: string; resource: CfnResource }[] {
  return assembly.stacks.flatMap((s) =>
    Object.entries(s.template.Resources)
      .filter(([, r]) => r.Type === type)
      .map(([logicalId, resource]) => ({ stack: s.name, logicalId, resource })),
  );
}

export function findResource(
  assembly: CloudAssembly,
  stack: string,
  logicalId: string,
): CfnResource | undefined {
  return assembly.stacks.find((s) => s.name === stack)?.template.Resources[logicalId];
}

/** Every `AWS::Lambda::Function` with its bundled asset directory. */
export function lambdaFunctions(assembly: CloudAssembly): LambdaFunction[] {
  return resourcesOfType(assembly, 'AWS::Lambda::Function').map(({ stack, logicalId, resource }) => {
    const props = resource.Properties ?? {};
    const assetPath = resource.Metadata?.['aws:asset:path'];
    const environment = props['Environment'] as { Variables?: Record<string, CfnValue> } | undefined;
    return {
      stack,
      logicalId,
      handler: String(props['Handler'] ?? ''),
      runtime: String(props['Runtime'] ?? ''),
      timeoutSeconds: Number(props['Timeout'] ?? 3),
      memoryMb: Number(props['MemorySize'] ?? 128),
      assetDir: typeof assetPath === 'string' ? join(assembly.dir, assetPath) : '',
      variables: environment?.Variables ?? {},
    };
  });
}

/** The logical id a `{ "Fn::GetAtt": [id, "Arn"] }` or `{ "Ref": id }` points at, if it is one. */
export function referencedId(value: CfnValue): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  if (typeof v['Ref'] === 'string') return v['Ref'];
  const getAtt = v['Fn::GetAtt'];
  if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') return getAtt[0];
  return undefined;
}
