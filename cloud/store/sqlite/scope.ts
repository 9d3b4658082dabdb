/** The scope condition is engine-neutral (cloud/store/sql-scope.ts); kept here for the SQLite modules that import it. */
export { inScope } from '../sql-scope.ts'
