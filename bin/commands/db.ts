/** `oracle db migrate`: applies the committed migrations to DATABASE_URL (the migrator every deploy uses). */
import { runMigrations } from '../../layers/shared/src/adapters/db/migrate.ts';

export const summary = 'apply the committed migrations to DATABASE_URL (db migrate)';

export async function run(argv: string[]): Promise<number> {
  const [action] = argv;
  if (action !== 'migrate') {
    process.stderr.write('usage: oracle db migrate\n');
    return 2;
  }
  const url = process.env['DATABASE_URL'];
  if (url === undefined || url === '') {
    process.stderr.write('oracle db migrate: DATABASE_URL is not set (and no `oracle local` is running)\n');
    return 2;
  }
  const result = await runMigrations(url);
  process.stdout.write(`${JSON.stringify(result)}\n`);
  return 0;
}
