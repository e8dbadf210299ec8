/**
 * Values as raw queries on the shared client pass and return them. drizzle's postgres-js driver
 * turns off postgres.js's date and json (de)serialisation on that client, so timestamps go in as
 * ISO strings and come back as PostgreSQL text, and jsonb comes back as text.
 */

/** Milliseconds since the epoch as the ISO string a timestamptz parameter takes. */
export const iso = (ms: number): string => new Date(ms).toISOString();

export function toDate(v: unknown): Date | null {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return v;
  const text = String(v);
  // Postgres' text form ("2026-01-01 12:00:00+00") parses once the space is a T.
  const isoLike = text.replace(/^(\d{4}-\d\d-\d\d) /, '$1T').replace(/([+-]\d\d)$/, '$1:00');
  return new Date(isoLike);
}

export function fromJson(v: unknown): unknown {
  return typeof v === 'string' ? JSON.parse(v) : v;
}

export const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

export const strOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

/** Free text stored from errors and chain nodes, bounded so one huge message cannot bloat a row. */
export const bounded = (text: string): string => text.slice(0, 2000);
