import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { ConfigError, parseConfig } from '../../shared/config.ts'
import { parseAddress } from '../drivers/modbus/address.ts'
import { pointWidth } from '../drivers/modbus/decode.ts'
import { ProfileSchema, type Profile } from './schema.ts'

/** The profiles shipped with parklink. */
export const BUILTIN_PROFILES = fileURLToPath(new URL('../../firmware-configs/profiles/', import.meta.url))

/**
 * Finds and validates a profile: first in `{site config folder}/profiles/` (a site's own or
 * patched profiles), then among the shipped ones. Errors name the profile file and line.
 */
export function loadProfile(name: string, dirs: readonly string[]): Profile {
  if (!/^[a-z0-9][a-z0-9-]{0,63}$/.test(name))
    throw new ConfigError('profile', [
      {
        file: '',
        line: null,
        path: 'profile',
        message: `"${name}" is not a profile name (lower-case letters, digits, "-")`,
      },
    ])
  const file = dirs.map((d) => path.join(d, `${name}.yaml`)).find((f) => existsSync(f))
  if (!file) {
    throw new ConfigError(name, [
      { file: name, line: null, path: 'profile', message: `no profile "${name}" in ${dirs.join(' or ')}` },
    ])
  }
  const profile = parseConfig(ProfileSchema, readFileSync(file, 'utf8'), file)
  if (profile.name !== name)
    throw new ConfigError(file, [
      {
        file,
        line: null,
        path: 'name',
        message: `the profile in ${name}.yaml is named "${profile.name}": name and file must agree`,
      },
    ])
  if (profile.protocol === 'modbus') checkOverlaps(profile, file)
  return profile
}

/** Two points of a register map on the same register (or bit) is a mistake in the map. */
function checkOverlaps(profile: Extract<Profile, { protocol: 'modbus' }>, file: string): void {
  const taken = new Map<string, string>()
  const problems = profile.points.flatMap((p, i) => {
    const at = parseAddress(p.address)
    const width = at.table === 'coil' || at.table === 'discrete' ? 1 : pointWidth(p.type ?? 'uint16', p.length)
    for (let k = 0; k < width; k++) {
      const slot = `${at.table}:${at.address + k}`
      const other = taken.get(slot)
      if (other)
        return [
          {
            file,
            line: null,
            path: `points.${i}`,
            message: `${p.key} overlaps ${other} at ${at.table} register ${at.address + k}`,
          },
        ]
      taken.set(slot, p.key)
    }
    return []
  })
  if (problems.length > 0) throw new ConfigError(file, problems)
}
