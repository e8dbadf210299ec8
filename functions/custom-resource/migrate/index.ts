/**
 * CloudFormation custom resource (lib/stacks/data-stack.ts): applies the committed migrations on
 * create and update, through the same migrator the local runtime and the tests use. Delete leaves
 * the schema alone: dropping data is never a side effect of a stack operation.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { CloudFormationCustomResourceEvent, CloudFormationCustomResourceResponse } from 'aws-lambda';
import { parseDatabaseSecret } from '../../../layers/shared/src/adapters/db/database-secret.ts';
import { runMigrations } from '../../../layers/shared/src/adapters/db/migrate.ts';

type ProviderResponse = Pick<CloudFormationCustomResourceResponse, 'PhysicalResourceId' | 'Data'>;

const PHYSICAL_ID = 'database-migrations';

function requiredEnv(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') throw new Error(`environment variable ${name} is required`);
  return value;
}

/** postgres://user:password@host:port/db from the cluster secret; the password never leaves this function. */
export async function databaseUrlFromSecret(
  client: SecretsManagerClient = new SecretsManagerClient({}),
): Promise<string> {
  // Every setting is checked before the secret is fetched, so a broken deploy names what is missing.
  const secretArn = requiredEnv('DB_SECRET_ARN');
  const host = requiredEnv('DB_HOST');
  const port = requiredEnv('DB_PORT');
  const name = requiredEnv('DB_NAME');
  const out = await client.send(new GetSecretValueCommand({ SecretId: secretArn }));
  if (out.SecretString === undefined) throw new Error('the database secret has no string value');
  const secret = parseDatabaseSecret(out.SecretString);
  const url = new URL('postgres://localhost');
  url.username = encodeURIComponent(secret.username);
  url.password = encodeURIComponent(secret.password);
  url.hostname = host;
  url.port = port;
  url.pathname = `/${name}`;
  url.searchParams.set('sslmode', 'require');
  return url.toString();
}

export async function handler(event: CloudFormationCustomResourceEvent): Promise<ProviderResponse> {
  if (event.RequestType === 'Delete') return { PhysicalResourceId: event.PhysicalResourceId };
  const result = await runMigrations(await databaseUrlFromSecret());
  return { PhysicalResourceId: PHYSICAL_ID, Data: { Applied: result.applied, Total: result.total } };
}
