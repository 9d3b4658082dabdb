import type { TestProject } from 'vitest/node'
import { startTemplateCluster } from '../util/pg-databases.ts'

declare module 'vitest' {
  export interface ProvidedContext {
    /** The template database's URL in the PostgreSQL run (vitest.postgres.config.ts); absent in the SQLite one. */
    parklinkPgTemplate: string | null
  }
}

/**
 * globalSetup of `npm run test:postgres` (vitest.postgres.config.ts): the cloud's tests on the
 * PostgreSQL engine (issue 15: "every existing API, alarm and e2e test passes on both"). One
 * throwaway cluster for the whole run (Debian's postgresql, started here, never assumed running),
 * its template migrated once; test/util/test-store.ts gives each store a fresh copy of it.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startTemplateCluster()
  project.provide('parklinkPgTemplate', server.url)
  return () => server.stop()
}
