import { describe, expect, it } from 'vitest'
import { mqttUplinkOf, parseEdgeConfig } from '../config.ts'
import { checkAnswers, configFromAnswers, missingFlags, renderConfig, type InitAnswers } from './init.ts'

const base: InitAnswers = {
  site: 'huaian-park',
  edge: 'shilian-01',
  broker: 'mqtts://park.example:8883',
  dataDir: '/var/lib/parklink',
}

describe('edge init: answers → config', () => {
  it('writes a minimal config that validates: no device yet, no credentials', () => {
    const text = renderConfig(base, new Date(0))
    const config = parseEdgeConfig(text, '/etc/parklink/edge.yaml')
    expect(config).toMatchObject({
      site: 'huaian-park',
      edge: 'shilian-01',
      dataDir: '/var/lib/parklink',
      uplink: { url: 'mqtts://park.example:8883' },
      devices: [],
    })
    expect(text).toMatch(/^# parklink edge config/)
  })

  it('names the password variable, never a password, and keeps a first Modbus device with its check point', () => {
    const a: InitAnswers = {
      ...base,
      username: 'shilian-01',
      passwordEnv: 'PARKLINK_MQTT_PASSWORD',
      device: {
        id: 'dcs',
        host: '192.168.10.21',
        port: 502,
        unitId: 1,
        point: {
          id: 'shilian.tk101.level',
          name: '液氨储罐TK-101液位',
          unit: 'm',
          address: 'hr0',
          type: 'float32',
          order: 'CDAB',
        },
      },
      console: { listen: '192.168.10.5:8088', passwordEnv: 'PARKLINK_CONSOLE_PASSWORD' },
    }
    expect(checkAnswers(a)).toEqual([])
    const text = renderConfig(a, new Date(0))
    const config = parseEdgeConfig(text, '/etc/parklink/edge.yaml')
    expect(config.uplink).toMatchObject({ username: 'shilian-01', passwordEnv: 'PARKLINK_MQTT_PASSWORD' })
    expect(config.devices[0]).toMatchObject({
      id: 'dcs',
      kind: 'modbus-tcp',
      host: '192.168.10.21',
      unitId: 1,
      points: [{ id: 'shilian.tk101.level', type: 'float32', order: 'CDAB', writable: false }],
    })
    expect(config.console).toMatchObject({ listen: '192.168.10.5:8088', passwordEnv: 'PARKLINK_CONSOLE_PASSWORD' })
    expect(text).toContain('set PARKLINK_MQTT_PASSWORD, PARKLINK_CONSOLE_PASSWORD in /etc/parklink/edge.env')
    // A username alone gets the default variable name.
    expect(configFromAnswers({ ...base, username: 'u' }).uplink).toMatchObject({
      passwordEnv: 'PARKLINK_MQTT_PASSWORD',
    })
  })

  it('writes the certificate files of a certificate login, and needs mqtts for them', () => {
    const a: InitAnswers = {
      ...base,
      tls: { ca: '/etc/parklink/park-ca.crt', cert: '/etc/parklink/edge.crt', key: '/etc/parklink/edge.key' },
    }
    const text = renderConfig(a, new Date(0))
    expect(mqttUplinkOf(parseEdgeConfig(text, '/etc/parklink/edge.yaml'))?.tls).toEqual(a.tls)
    expect(text).toContain('logs in with its certificate')
    expect(checkAnswers({ ...a, broker: 'mqtt://127.0.0.1:1883' })).toEqual([
      expect.stringMatching(/^uplink.tls: tls needs an mqtts/),
    ])
    expect(checkAnswers({ ...base, broker: 'mqtt://park:1883' })).toEqual([
      expect.stringMatching(/^uplink.url: plain mqtt:\/\/ to another host .*allowInsecure/),
    ])
    expect(checkAnswers({ ...base, tls: { cert: '/e.crt' } })).toEqual([expect.stringMatching(/cert and key together/)])
  })

  it('reports bad answers by their config path', () => {
    expect(checkAnswers({ ...base, site: 'huai an', broker: 'http://park' })).toEqual([
      expect.stringMatching(/^site: /),
      expect.stringMatching(/^uplink.url: use mqtt:/),
    ])
    expect(checkAnswers({ ...base, broker: 'mqtts://user:pw@park:8883' })).toEqual([
      expect.stringMatching(/no credentials in the URL/),
    ])
  })

  it('lists the flags a script must give', () => {
    expect(missingFlags({ site: 'a' })).toEqual(['--edge', '--broker'])
    expect(missingFlags({ site: 'a', edge: 'b', broker: 'mqtt://x' })).toEqual([])
  })
})
