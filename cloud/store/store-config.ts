import { z } from 'zod'
import { ErrorCodes, ParklinkError } from '../../shared/errors.ts'
import { RetentionConfig } from '../telemetry/retention-policy.ts'

/**
 * Where the cloud keeps its data (issue 15), config `store`:
 * - `engine: sqlite` (default): one file, `{dataDir}/cloud.db`; `npm start` needs nothing installed.
 * - `engine: postgres`: `url` names the server and database (postgres://user@host:5432/parklink),
 *   `passwordEnv` the environment variable holding the password: never the password itself, so
 *   a URL carrying one is refused. `poolSize` connections per cloud process.
 * - `retention`: how long raw samples and rollups are kept, on either engine.
 */
const EnvName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name')

const PostgresUrl = z
  .string()
  .regex(/^postgres(ql)?:\/\//, 'a postgres:// URL')
  .refine((u) => URL.canParse(u), 'not a URL')
  .refine((u) => !URL.canParse(u) || new URL(u).password === '', {
    message: 'no password in store.url: put it in the environment variable store.passwordEnv names',
  })

export const StoreConfig = z
  .strictObject({
    engine: z.enum(['sqlite', 'postgres']).default('sqlite'),
    url: PostgresUrl.optional(),
    passwordEnv: EnvName.optional(),
    poolSize: z.number().int().min(2).max(200).default(10),
    /**
     * PostgreSQL: where the files the database does not hold live (snapshot JPEGs in
     * {filesDir}/snapshots, the park plan image in {filesDir}/plan); default dataDir. Replicas on
     * one database must share it (an NFS or other shared mount): a snapshot stored through one
     * replica is served by any (issue 16).
     */
    filesDir: z.string().min(1).optional(),
    retention: RetentionConfig.prefault({}),
  })
  .superRefine((s, ctx) => {
    if (s.engine === 'postgres' && s.url === undefined)
      ctx.addIssue({ code: 'custom', path: ['url'], message: 'engine postgres needs store.url' })
    if (s.engine === 'sqlite' && s.filesDir !== undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['filesDir'],
        message: 'store.filesDir is for engine: postgres (SQLite keeps its files beside {dataDir}/cloud.db)',
      })
    if (s.engine === 'sqlite' && (s.url !== undefined || s.passwordEnv !== undefined))
      ctx.addIssue({
        code: 'custom',
        path: ['engine'],
        message: 'store.url and store.passwordEnv are for engine: postgres (the SQLite file is {dataDir}/cloud.db)',
      })
  })
export type StoreConfig = z.infer<typeof StoreConfig>

/** The database password from the variable store.passwordEnv names; an unset variable is a config error. */
export function storePassword(store: StoreConfig, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const name = store.passwordEnv
  if (name === undefined) return undefined
  const value = env[name]
  if (value === undefined || value === '')
    throw new ParklinkError(
      ErrorCodes.CONFIG_INVALID,
      `store.passwordEnv names ${name}, but that environment variable is not set`,
      { hint: `set ${name} (for systemd: in /etc/parklink/cloud.env) or remove store.passwordEnv` },
    )
  return value
}
