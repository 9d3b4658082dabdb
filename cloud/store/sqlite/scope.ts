import { sql, type SQL } from 'drizzle-orm'
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core'
import type { Scope } from '../../auth/roles.ts'

/**
 * The SQL condition that keeps a query inside a scope: none for 'all', else the enterprise
 * column (or expression, e.g. a camera alarm's camera enterprise) must equal the scope's
 * enterprise (a NULL enterprise — an unregistered point — never does).
 */
export function inScope(scope: Scope, enterpriseColumn: SQLiteColumn | SQL): SQL | undefined {
  return scope === 'all' ? undefined : sql`${enterpriseColumn} = ${scope.enterprise}`
}
