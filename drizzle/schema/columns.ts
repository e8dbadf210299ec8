/** Column shapes every schema uses the same way. */
import { bigint, timestamp } from 'drizzle-orm/pg-core';

/** A point in time, with its zone. */
export const tstz = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });
/** A bigint that fits a JS number (epochs, counts, ids). */
export const i64 = (name: string) => bigint(name, { mode: 'number' });
/** A bigint read as a JS bigint (token base units, u64 amounts). */
export const u64 = (name: string) => bigint(name, { mode: 'bigint' });
