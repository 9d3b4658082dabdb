import { defineConfig } from 'drizzle-kit'

/** `npm run db:generate` writes a migration for every change to the schema; commit it. */
export default defineConfig({
  dialect: 'sqlite',
  schema: './cloud/store/sqlite/schema.ts',
  out: './cloud/store/sqlite/migrations',
})
