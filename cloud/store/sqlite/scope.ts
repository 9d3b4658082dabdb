import { eq, sql, type SQL } from 'drizzle-orm'
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core'
import type { Scope } from '../../auth/roles.ts'

/** The SQL condition that keeps a query inside a scope: none for 'all', else the enterprise column must match. */
export function inScope(scope: Scope, enterpriseColumn: SQLiteColumn): SQL | undefined {
  if (scope === 'all') return undefined
  // A missing enterprise (unregistered point) is never inside an enterprise's scope.
  return eq(enterpriseColumn, scope.enterprise) ?? sql`0`
}
