import { describe, expect, it } from 'vitest'
import { CloudConfigSchema } from '../config.ts'
import { scrapeToken } from './config.ts'

const base = { dataDir: '/tmp/x', mqtt: { url: 'mqtt://127.0.0.1:1883' } }
const issues = (config: unknown) =>
  CloudConfigSchema.safeParse(config).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`) ?? []

describe('cloud config for the operations view and broker failover (issue 16)', () => {
  it('keeps a single url as it was: no failover, no scrape token', () => {
    const c = CloudConfigSchema.parse(base)
    expect(c.mqtt.failover).toEqual([])
    expect(c.metrics).toEqual({})
    expect(scrapeToken(c.metrics, {})).toBeUndefined()
  })

  it('takes failover URLs, and refuses a plain remote one unless allowInsecure', () => {
    const more = { ...base, mqtt: { ...base.mqtt, failover: ['mqtt://127.0.0.1:1884'] } }
    expect(CloudConfigSchema.parse(more).mqtt.failover).toEqual(['mqtt://127.0.0.1:1884'])
    const remote = { ...base, mqtt: { ...base.mqtt, failover: ['mqtt://broker-b.park.local:1883'] } }
    expect(issues(remote).some((i) => i.startsWith('mqtt.failover'))).toBe(true)
    expect(issues({ ...remote, mqtt: { ...remote.mqtt, allowInsecure: true } })).toEqual([])
    expect(issues({ ...base, mqtt: { ...base.mqtt, failover: ['http://x'] } })).not.toEqual([])
  })

  it('reads the scrape token from the variable tokenEnv names; unset or short refuses the start', () => {
    const c = CloudConfigSchema.parse({ ...base, metrics: { tokenEnv: 'PL_SCRAPE' } })
    expect(scrapeToken(c.metrics, { PL_SCRAPE: 'x'.repeat(32) })).toBe('x'.repeat(32))
    expect(() => scrapeToken(c.metrics, {})).toThrow(/PL_SCRAPE.*not set/)
    expect(() => scrapeToken(c.metrics, { PL_SCRAPE: 'short' })).toThrow(/too short/)
    expect(issues({ ...base, metrics: { tokenEnv: 'not a name' } })).not.toEqual([])
    expect(issues({ ...base, metrics: { token: 'inline' } })).not.toEqual([])
  })
})
