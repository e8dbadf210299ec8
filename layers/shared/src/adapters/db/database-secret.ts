/**
 * The database credentials secret RDS generates for the cluster (`username`, `password`, and
 * fields we do not read). Every reader of it parses it here, through the one secret parser.
 */
import { z } from 'zod';
import { parseSecret } from '../../secret-value.ts';

/** The shape RDS generates for a cluster's credentials (more keys may be present). */
const databaseSecret = z.object({ username: z.string().min(1), password: z.string().min(1) });

export type DatabaseCredentials = z.output<typeof databaseSecret>;

export function parseDatabaseSecret(text: string): DatabaseCredentials {
  return parseSecret(
    text,
    databaseSecret,
    'the database secret',
    '{"username","password", ...} (as RDS generates it)',
  );
}
