import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'postgresql',
  schema: './drizzle/schema/index.ts',
  out: './drizzle/migrations',
  schemaFilter: ['attention', 'creator', 'delivery', 'market'],
  ...(process.env['DATABASE_URL'] === undefined
    ? {}
    : { dbCredentials: { url: process.env['DATABASE_URL'] } }),
});
