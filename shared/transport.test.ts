import { describe, expect, it } from 'vitest'
import { CloudConfigSchema } from '../cloud/config.ts'
import { UplinkConfigSchema } from '../edge/config.ts'
import { isInsecureRemote } from './transport.ts'

describe('plain MQTT beyond this host (brief §7)', () => {
  it('is plain mqtt/tcp/ws to anything but the loopback', () => {
    for (const url of [
      'mqtt://10.0.0.5:1883',
      'tcp://park.example:1883',
      'ws://park:9001',
      'mqtt://0.0.0.0:1883',
      'mqtt://[fe80::1]:1883',
    ])
      expect(isInsecureRemote(url), url).toBe(true)
    for (const url of [
      'mqtt://127.0.0.1:1883',
      'mqtt://localhost:1883',
      'mqtt://[::1]:1883',
      'mqtts://10.0.0.5:8883',
      'wss://park:443',
      'tls://park:8883',
    ])
      expect(isInsecureRemote(url), url).toBe(false)
  })

  it('is refused by the edge and cloud configs unless allowInsecure: true', () => {
    expect(UplinkConfigSchema.safeParse({ url: 'mqtt://10.0.0.5:1883' }).error?.issues).toEqual([
      expect.objectContaining({ path: ['url'], message: expect.stringMatching(/clear text: use mqtts/) }),
    ])
    expect(UplinkConfigSchema.parse({ url: 'mqtt://10.0.0.5:1883', allowInsecure: true }).allowInsecure).toBe(true)
    expect(UplinkConfigSchema.parse({ url: 'mqtt://127.0.0.1:1883' }).allowInsecure).toBe(false)
    const cloud = (mqtt: object) => CloudConfigSchema.safeParse({ dataDir: '/tmp/x', mqtt })
    expect(cloud({ url: 'mqtt://broker.park:1883' }).error?.issues).toEqual([
      expect.objectContaining({ path: ['mqtt', 'url'], message: expect.stringMatching(/allowInsecure/) }),
    ])
    expect(cloud({ url: 'mqtt://broker.park:1883', allowInsecure: true }).success).toBe(true)
    expect(cloud({ url: 'mqtts://broker.park:8883' }).success).toBe(true)
  })
})
