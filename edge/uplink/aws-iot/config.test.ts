import { describe, expect, it } from 'vitest'
import { configHash, parseEdgeConfig, uplinkEndpoint, type AwsIotUplinkConfig } from '../../config.ts'
import type { ConfigError } from '../../../shared/config.ts'

const head = `
site: huaian
edge: shilian-01
dataDir: ./data
devices: []
`
const iot = (lines: string) => `${head}uplink:\n  kind: aws-iot\n${lines}`
const parse = (text: string) => parseEdgeConfig(text, '/etc/parklink/edge.yaml')
const problems = (text: string) => {
  try {
    parse(text)
    return []
  } catch (err) {
    return (err as ConfigError).problems.map((p) => `${p.path}: ${p.message}`)
  }
}

/** `uplink.kind: aws-iot` (issue 16) beside the park broker's mqtt, whose shape is unchanged. */
describe('edge config: the AWS IoT Core uplink', () => {
  it('parses with IoT Core defaults, the thing name as client id and paths resolved', () => {
    const u = parse(
      iot(
        '  endpoint: a1b2c3d4e5f6g7-ats.iot.cn-north-1.amazonaws.com.cn\n  thingName: huaian-shilian-01\n  cert: certs/thing.crt\n  key: certs/thing.key\n  ca: AmazonRootCA1.pem\n',
      ),
    ).uplink as AwsIotUplinkConfig
    expect(u).toMatchObject({
      kind: 'aws-iot',
      port: 8883,
      clientId: 'huaian-shilian-01',
      maxMessageBytes: 131_072,
      keepaliveS: 30,
      batchSize: 500,
      cert: '/etc/parklink/certs/thing.crt',
      key: '/etc/parklink/certs/thing.key',
      ca: '/etc/parklink/AmazonRootCA1.pem',
    })
    expect(uplinkEndpoint(u)).toBe('mqtts://a1b2c3d4e5f6g7-ats.iot.cn-north-1.amazonaws.com.cn:8883')
  })

  it("refuses what IoT Core would: a keepalive outside 30–1200 s, messages over 128 KB, an endpoint URL, mqtt's keys", () => {
    const base = '  endpoint: example-ats.iot.eu-west-1.amazonaws.com\n  thingName: t1\n  cert: c\n  key: k\n'
    expect(problems(iot(`${base}  keepaliveS: 10\n`))).toEqual([expect.stringMatching(/^uplink\.keepaliveS: /)])
    expect(problems(iot(`${base}  keepaliveS: 1201\n`))).toEqual([expect.stringMatching(/^uplink\.keepaliveS: /)])
    expect(problems(iot(`${base}  maxMessageBytes: 1048576\n`))).toEqual([
      expect.stringMatching(/^uplink\.maxMessageBytes: /),
    ])
    expect(problems(iot(base.replace('example-ats', 'mqtts://example-ats')))).toEqual([
      expect.stringMatching(/^uplink\.endpoint: the data endpoint host only/),
    ])
    expect(problems(iot(`${base}  url: mqtts://x:8883\n`))).toEqual(['uplink.url: unknown key "url"'])
    expect(problems(iot('  endpoint: e.example.com\n'))).toHaveLength(3) // thingName, cert, key
  })

  it('keeps the mqtt shape as it was: without kind, and kind: mqtt, parse alike', () => {
    const plain = parse(`${head}uplink:\n  url: mqtt://127.0.0.1:1883\n`)
    const explicit = parse(`${head}uplink:\n  kind: mqtt\n  url: mqtt://127.0.0.1:1883\n`)
    expect(plain.uplink).toMatchObject({
      url: 'mqtt://127.0.0.1:1883',
      clientId: 'parklink-edge-shilian-01',
      maxMessageBytes: 1_048_576,
    })
    expect(plain.uplink.kind).toBeUndefined()
    expect({ ...explicit.uplink, kind: undefined }).toEqual(plain.uplink)
    // An existing edge's config hash does not move (the cloud compares it with its births).
    expect(configHash(plain)).toBe(configHash(parse(`${head}uplink:\n  url: mqtt://127.0.0.1:1883\n`)))
    expect(problems(`${head}uplink:\n  kind: amqp\n  url: mqtt://127.0.0.1:1883\n`)).toEqual([
      expect.stringMatching(/^uplink\.kind: /),
    ])
  })
})
