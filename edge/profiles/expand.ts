import path from 'node:path'
import { ConfigError } from '../../shared/config.ts'
import { BUILTIN_PROFILES, loadProfile } from './load.ts'
import type { Profile } from './schema.ts'

/**
 * Replaces profile references in a raw edge config document with the profile's points, before
 * validation. A device (or an RS485 unit) may say:
 *
 *   profile: static-level-gauge   # firmware-configs/profiles/static-level-gauge.yaml
 *   prefix: pg.m1                 # point ids: pg.m1.level, pg.m1.temp, …
 *   tag: TK201                    # OPC UA templates: put into the node ids' {tag}
 *   points: [...]                 # optional: more points of its own
 */
type Obj = Record<string, unknown>
const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x)

export function expandProfiles(raw: unknown, configFile: string): unknown {
  if (!isObj(raw) || !Array.isArray(raw.devices)) return raw
  const dirs = [path.join(path.dirname(path.resolve(configFile)), 'profiles'), BUILTIN_PROFILES]
  const problems: ConfigError['problems'] = []
  const expandOne = (entry: Obj, at: string, protocol: Profile['protocol']): Obj => {
    if (entry.profile === undefined) return entry
    const { profile: name, prefix, tag, ...rest } = entry
    try {
      const profile = loadProfile(String(name), dirs)
      if (profile.protocol !== protocol)
        throw new ConfigError(configFile, [
          {
            file: configFile,
            line: null,
            path: `${at}.profile`,
            message: `profile ${String(name)} is for ${profile.protocol}, this device speaks ${protocol}`,
          },
        ])
      if (typeof prefix !== 'string' || prefix.length === 0)
        throw new ConfigError(configFile, [
          {
            file: configFile,
            line: null,
            path: `${at}.prefix`,
            message: 'a device that uses a profile needs a prefix for its point ids (e.g. prefix: pg.m1)',
          },
        ])
      const points = profile.points.map(({ key, ...p }) => {
        const point: Obj = { id: `${prefix}.${key}`, ...p }
        if (profile.protocol === 'opcua') point.nodeId = String(point.nodeId).replaceAll('{tag}', String(tag ?? ''))
        return point
      })
      return { ...rest, points: [...points, ...(Array.isArray(rest.points) ? rest.points : [])] }
    } catch (err) {
      if (err instanceof ConfigError) problems.push(...err.problems)
      else throw err
      return rest
    }
  }
  const devices = raw.devices.map((d, i) => {
    if (!isObj(d)) return d
    const protocol = d.kind === 'opcua' ? 'opcua' : 'modbus'
    const device = expandOne(d, `devices.${i}`, protocol)
    if (Array.isArray(device.units))
      device.units = device.units.map((u, k) => (isObj(u) ? expandOne(u, `devices.${i}.units.${k}`, 'modbus') : u))
    return device
  })
  if (problems.length > 0) throw new ConfigError(configFile, problems)
  return { ...raw, devices }
}
