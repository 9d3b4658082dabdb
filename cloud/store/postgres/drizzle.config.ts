import { defineConfig } from 'drizzle-kit'

/** `npm run db:generate` writes a migration for every change to the schemas (both engines); commit them. */
export default defineConfig({
  dialect: 'postgresql',
  schema: './cloud/store/postgres/schema.ts',
  out: './cloud/store/postgres/migrations',
})
