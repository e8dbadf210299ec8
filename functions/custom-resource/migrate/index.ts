/**
 * CloudFormation custom resource (lib/stacks/data-stack.ts): applies the committed migrations on
 * create and update, through the same migrator the local runtime and the tests use. Delete leaves
 * the schema alone: dropping data is never a side effect of a stack operation. It reaches the
 * cluster endpoint directly (DB_VIA_PROXY=false), verifying its certificate against the RDS CA
 * bundle shipped in this function's bundle (DATABASE_CA_FILE).
 */
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { CloudFormationCustomResourceEvent, CloudFormationCustomResourceResponse } from 'aws-lambda';
import type { DatabaseConnection } from '../../../layers/shared/src/adapters/db/database-access.ts';
import { loadConfig } from '../../../layers/shared/src/config.ts';
import { customResource } from '../../handlers.ts';

type ProviderResponse = Pick<CloudFormationCustomResourceResponse, 'PhysicalResourceId' | 'Data'>;

const PHYSICAL_ID = 'database-migrations';

export interface MigrateDependencies {
  /**
   * The cluster's connection, made only when migrations run: a Delete needs none of the database
   * settings and fetches no secret, so a stack can always be deleted.
   */
  readonly connection: () => Promise<DatabaseConnection>;
}

/**
 * The cluster's URL and TLS settings from the secret; the password never leaves this function.
 * The Secrets Manager client and the database driver load here, so a Delete loads neither.
 */
export async function migrationConnection(client?: SecretsManagerClient): Promise<DatabaseConnection> {
  // Every setting is checked before the secret is fetched, so a broken deploy names what is missing.
  const settings = loadConfig(process.env, { require: ['DB_HOST', 'DB_SECRET_ARN', 'DATABASE_CA_FILE'] });
  const [secrets, { SecretsManagerStore }, { databaseConnection }] = await Promise.all([
    client ?? import('@aws-sdk/client-secrets-manager').then((sdk) => new sdk.SecretsManagerClient({})),
    import('../../../layers/shared/src/adapters/aws/secrets-manager-store.ts'),
    import('../../../layers/shared/src/adapters/db/database-access.ts'),
  ]);
  return databaseConnection({ ...settings, DATABASE_POOL_MAX: 1 }, new SecretsManagerStore(secrets));
}

export function migrateDependencies(): MigrateDependencies {
  return { connection: () => migrationConnection() };
}

export async function handle(
  event: CloudFormationCustomResourceEvent,
  deps: MigrateDependencies,
): Promise<ProviderResponse> {
  if (event.RequestType === 'Delete') return { PhysicalResourceId: event.PhysicalResourceId };
  const [connection, { runMigrations }] = await Promise.all([
    deps.connection(),
    import('../../../layers/shared/src/adapters/db/migrate.ts'),
  ]);
  const result = await runMigrations(connection);
  return { PhysicalResourceId: PHYSICAL_ID, Data: { Applied: result.applied, Total: result.total } };
}

export const handler = customResource(migrateDependencies, handle);
