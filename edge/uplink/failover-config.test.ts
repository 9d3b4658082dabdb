import { describe, expect, it } from 'vitest'
import { UplinkConfigSchema } from '../config.ts'

const issues = (uplink: unknown) =>
  UplinkConfigSchema.safeParse(uplink).error?.issues.map((i) => i.path.join('.')) ?? []

describe('uplink.failover (issue 16)', () => {
  it('defaults to none: a single url works as before', () => {
    expect(UplinkConfigSchema.parse({ url: 'mqtt://127.0.0.1:1883' }).failover).toEqual([])
  })

  it('takes more broker URLs, each checked like url', () => {
    expect(
      UplinkConfigSchema.parse({ url: 'mqtt://127.0.0.1:1883', failover: ['mqtt://127.0.0.1:1884'] }).failover,
    ).toEqual(['mqtt://127.0.0.1:1884'])
    expect(issues({ url: 'mqtt://127.0.0.1:1883', failover: ['mqtt://user:pw@127.0.0.1:1884'] })).toContain(
      'failover.0',
    )
    expect(issues({ url: 'mqtt://127.0.0.1:1883', failover: ['mqtt://broker-b.park.local:1883'] })).toContain(
      'failover',
    )
    // With TLS every broker must be mqtts://.
    expect(
      issues({ url: 'mqtts://a.park.local:8883', failover: ['mqtt://127.0.0.1:1883'], tls: { ca: 'ca.pem' } }),
    ).toContain('tls')
    expect(
      issues({ url: 'mqtts://a.park.local:8883', failover: ['mqtts://b.park.local:8883'], tls: { ca: 'ca.pem' } }),
    ).toEqual([])
  })
})
