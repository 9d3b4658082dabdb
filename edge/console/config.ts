import { isIP } from 'node:net'
import { z } from 'zod'
import { ErrorCodes, ParklinkError } from '../../shared/errors.ts'

/**
 * `console:` in the edge config: the local web console on the plant LAN. Off unless present.
 * `listen` is "address:port" (the plant-LAN NIC's address, so it is not served on the park
 * line) or a bare port, which binds loopback only. The password is never in the file:
 * `passwordEnv` names the environment variable that holds it.
 */
const Port = z.number().int().min(0).max(65535)

export const ConsoleConfig = z.strictObject({
  listen: z.union([
    Port,
    z
      .string()
      .refine(
        (s) => parseListen(s) !== null,
        'use "address:port" with an IPv4 address, e.g. "192.168.1.10:8088", or a port number',
      ),
  ]),
  passwordEnv: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name, e.g. PARKLINK_CONSOLE_PASSWORD'),
  /**
   * GET /metrics (issue 16): besides a logged-in session, Prometheus may scrape with this token
   * as a bearer; the variable this names holds it (never the file). Absent: sessions only.
   */
  metricsTokenEnv: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name, e.g. PARKLINK_METRICS_TOKEN')
    .optional(),
  /** Serve HTTPS with this certificate and key (PEM, relative to the config): the password then never crosses the LAN in clear. */
  tls: z.strictObject({ cert: z.string().min(1), key: z.string().min(1) }).optional(),
  /** How long a login lasts (default 8 h: one shift). */
  sessionMinutes: z
    .number()
    .int()
    .min(1)
    .max(7 * 24 * 60)
    .default(480),
  /** Request bodies above this many bytes are refused with 413 while they stream in (the login form is well under 1 KiB). */
  maxBodyBytes: z
    .number()
    .int()
    .min(1024)
    .max(1024 * 1024)
    .default(64 * 1024),
  /** A data-access table uploaded on the devices page (XLSX or CSV) may be up to this many bytes. */
  maxUploadBytes: z
    .number()
    .int()
    .min(64 * 1024)
    .max(32 * 1024 * 1024)
    .default(4 * 1024 * 1024),
  /** Open connections in all, and from one address (a browser opens up to 6 per host; two tabs fit). */
  maxConnections: z.number().int().min(1).max(1024).default(64),
  maxConnectionsPerAddress: z.number().int().min(1).max(1024).default(16),
})
export type ConsoleConfig = z.infer<typeof ConsoleConfig>

export function parseListen(listen: string | number): { host: string; port: number } | null {
  if (typeof listen === 'number') return { host: '127.0.0.1', port: listen }
  const m = /^(.+):(\d{1,5})$/.exec(listen.trim())
  if (!m) return null
  const port = Number(m[2])
  if (isIP(m[1]!) !== 4 || port > 65535) return null
  return { host: m[1]!, port }
}

/** The password from the variable the config names. Unset or too short: the console is refused. */
export function consolePassword(config: ConsoleConfig, env: NodeJS.ProcessEnv = process.env): string {
  const value = env[config.passwordEnv]
  if (value === undefined || value === '') {
    throw new ParklinkError(
      ErrorCodes.CONFIG_INVALID,
      `console.passwordEnv names ${config.passwordEnv}, but that environment variable is not set: the console is not started without a password`,
      {
        hint: `set ${config.passwordEnv} (for systemd: in /etc/parklink/edge.env), or remove console: from the config`,
      },
    )
  }
  if (value.length < 8) {
    throw new ParklinkError(
      ErrorCodes.CONFIG_INVALID,
      `the console password in ${config.passwordEnv} is too short (${value.length} characters)`,
      {
        hint: 'use at least 8 characters, mixing letters, digits and signs',
      },
    )
  }
  return value
}
