import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { ConfigError, parseConfig } from './config.ts'

const Schema = z.object({
  site: z.string(),
  devices: z.array(z.object({ id: z.string(), port: z.number().int().max(65535) })),
})

function problems(text: string) {
  try {
    parseConfig(Schema, text, 'edge.yaml')
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError)
    return (err as ConfigError).problems.map((p) => `${p.line}:${p.path}`)
  }
  throw new Error('expected a ConfigError')
}

describe('parseConfig', () => {
  it('returns the typed value for a valid document', () => {
    expect(parseConfig(Schema, 'site: park\ndevices:\n  - { id: plc, port: 502 }\n', 'e.yaml')).toEqual({
      site: 'park',
      devices: [{ id: 'plc', port: 502 }],
    })
  })

  it('lists every problem at once, each with its line and path', () => {
    const text = ['site: park', 'devices:', '  - id: plc1', '    port: 70000', '  - id: 7', '    port: 502', ''].join(
      '\n',
    )
    expect(problems(text)).toEqual(['4:devices.0.port', '5:devices.1.id'])
  })

  it('points a missing key at its parent', () => {
    expect(problems('devices: []\n')).toEqual(['1:site'])
  })

  it('reports YAML syntax errors with a line', () => {
    expect(problems('site: park\ndevices: [\n')[0]).toMatch(/^\d+:$/)
  })

  it('rejects duplicate keys, which YAML otherwise resolves silently', () => {
    expect(problems('site: a\nsite: b\ndevices: []\n')).toHaveLength(1)
  })

  it('carries a stable code and a hint in the error', () => {
    try {
      parseConfig(Schema, '{}', 'x.yaml')
    } catch (err) {
      expect((err as ConfigError).code).toBe('PL_CONFIG_INVALID')
      expect((err as ConfigError).hint).toMatch(/x\.yaml/)
    }
  })
})
