import { sql, type Column, type SQL } from 'drizzle-orm'
import type { Scope } from '../auth/roles.ts'

/**
 * The SQL condition that keeps a query inside a scope (brief §7, scoping in the data layer),
 * for either engine: none for 'all', else the enterprise column (or expression, e.g. a camera
 * alarm's camera enterprise) must equal the scope's enterprise (a NULL enterprise — an
 * unregistered point — never does).
 */
export function inScope(scope: Scope, enterpriseColumn: Column | SQL): SQL | undefined {
  return scope === 'all' ? undefined : sql`${enterpriseColumn} = ${scope.enterprise}`
}
