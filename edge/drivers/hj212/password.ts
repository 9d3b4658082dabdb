import { createHash, timingSafeEqual } from 'node:crypto'
import type { Logger } from 'pino'
import { ErrorCodes, ParklinkError } from '../../../shared/errors.ts'
import type { Hj212DeviceConfig } from './config.ts'

/**
 * The access password (PW of the data segment, HJ 212-2017 §6.3.2) each
 * instrument must send. Read once at start from the variables the config names; a variable that
 * is not set refuses the device (every packet would be refused otherwise). `requirePassword:
 * false` takes any PW, and says so in the log at every start.
 */
export type InstrumentPasswords = ReadonlyMap<string, string | null>

export function instrumentPasswords(
  config: Pick<Hj212DeviceConfig, 'id' | 'instruments'>,
  env: NodeJS.ProcessEnv,
  log: Logger,
): InstrumentPasswords {
  const passwords = new Map<string, string | null>()
  for (const i of config.instruments) {
    if (!i.requirePassword) {
      log.warn(
        { device: config.id, mn: i.mn },
        'HJ 212 instrument without a password check (requirePassword: false): anyone on the plant LAN can send data under its MN',
      )
      passwords.set(i.mn, null)
      continue
    }
    const value = i.passwordEnv === undefined ? undefined : env[i.passwordEnv]
    if (value === undefined || value === '') {
      throw new ParklinkError(
        ErrorCodes.CONFIG_INVALID,
        `HJ 212 device ${config.id}: instrument ${i.mn} needs its password, but ${i.passwordEnv ?? 'passwordEnv'} is not set`,
        {
          hint: `set ${i.passwordEnv ?? 'passwordEnv'} to the instrument's PW (for systemd: in /etc/parklink/edge.env)`,
        },
      )
    }
    passwords.set(i.mn, value)
  }
  return passwords
}

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest()

/** Constant time, whatever the lengths. `expected` null: not checked (requirePassword: false). */
export function passwordAccepted(expected: string | null, given: string | undefined): boolean {
  if (expected === null) return true
  return given !== undefined && timingSafeEqual(digest(given), digest(expected))
}
