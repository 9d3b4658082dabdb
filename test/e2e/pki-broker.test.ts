import mqtt, { type MqttClient } from 'mqtt'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { revoke } from '../../deploy/pki/revoke.ts'
import { startEdgeAgent, type EdgeAgent } from '../../edge/agent.ts'
import { parseEdgeConfig } from '../../edge/config.ts'
import { createLogger } from '../../edge/log.ts'
import { DEFAULT_CLOUD_USER, edgeUser } from '../../shared/wire/acl.ts'
import { topic } from '../../shared/wire/topics.ts'
import { stopAll } from '../util/child.ts'
import { startShippedMosquitto, type ShippedMosquitto } from '../util/shipped-mosquitto.ts'
import { waitFor } from '../util/wait.ts'

/**
 * Issue 20 on the shipped Mosquitto (client certificates, deploy/mosquitto/parklink.conf): an edge
 * enrolled with `parklink pki` connects with the files `issue edge` wrote; once revoked (and the
 * broker has the new CRL) it is refused; an edge holding another edge's certificate neither starts
 * as itself nor can publish as itself with it.
 */
const SITE = 'huaian'
describe('edges enrolled with parklink pki on the shipped Mosquitto', () => {
  let broker: ShippedMosquitto
  const agents: EdgeAgent[] = []
  const clients: MqttClient[] = []
  const log = createLogger('pki-test', 'silent')

  beforeAll(async () => {
    broker = await startShippedMosquitto()
  }, 30_000)
  afterAll(async () => {
    await Promise.all(agents.map((a) => a.stop()))
    await Promise.all(clients.map((c) => c.endAsync(true)))
    await broker?.dispose()
    await stopAll()
  })

  /** An edge config using the files `parklink pki issue edge` wrote for `certOf`. */
  const edgeConfig = (edge: string, certOf: string) => {
    const dir = broker.pki.layout.issued('edge', edgeUser(SITE, certOf))
    return parseEdgeConfig(
      [
        `site: ${SITE}`,
        `edge: ${edge}`,
        `dataDir: ./data-${edge}`,
        `uplink: { url: "${broker.url}", reconnectMinMs: 100, reconnectMaxMs: 300, tls: { ca: ${dir}/ca.crt, cert: ${dir}/client.crt, key: ${dir}/client.key } }`,
        'devices: []',
        '',
      ].join('\n'),
      path.join(dir, `${edge}.yaml`),
    )
  }

  it('connects with the files `parklink pki issue edge` wrote, and is refused once its certificate is revoked', async () => {
    broker.enrol('edge', edgeUser(SITE, 'edge-01'))
    const agent = await startEdgeAgent(edgeConfig('edge-01', 'edge-01'), { log })
    agents.push(agent)
    await waitFor(() => agent.status().uplink.connected, {
      timeoutMs: 15_000,
      message: () => `not connected: ${agent.status().uplink.lastError}`,
    })

    revoke(broker.pki, edgeUser(SITE, 'edge-01'))
    await broker.reloadCrl()
    await waitFor(() => /revoked/i.test(agent.status().uplink.lastError ?? ''), {
      timeoutMs: 15_000,
      message: () => `not refused: ${agent.status().uplink.lastError}`,
    })
    expect(agent.status().uplink.connected).toBe(false)
  })

  it("refuses to start an edge with another edge's certificate, and the broker lets that certificate write only the other's topics", async () => {
    broker.enrol('edge', edgeUser(SITE, 'edge-02'))
    await expect(startEdgeAgent(edgeConfig('edge-03', 'edge-02'), { log })).rejects.toMatchObject({
      code: 'PL_CONFIG_INVALID',
      message: expect.stringContaining(
        `the certificate's CN is "${edgeUser(SITE, 'edge-02')}", this edge is "${edgeUser(SITE, 'edge-03')}"`,
      ),
    })
    // The same certificate on a raw client, publishing as edge-03: the broker knows it as edge-02 only.
    const cloudFiles = broker.enrol('cloud', DEFAULT_CLOUD_USER)
    const connect = async (files: { cert: Buffer; key: Buffer }) => {
      const c = await mqtt.connectAsync(broker.url, {
        ca: broker.ca,
        cert: files.cert,
        key: files.key,
        protocolVersion: 4,
        reconnectPeriod: 0,
        clientId: `x-${Math.random()}`,
      })
      clients.push(c)
      return c
    }
    const cloud = await connect(cloudFiles)
    const got: string[] = []
    cloud.on('message', (_t, p) => got.push(p.toString()))
    await cloud.subscribeAsync({ 'parklink/v1/+/+/data': { qos: 1 } })
    const dir = broker.pki.layout.issued('edge', edgeUser(SITE, 'edge-02'))
    const holder = await connect({ cert: readFileSync(`${dir}/client.crt`), key: readFileSync(`${dir}/client.key`) })
    await holder.publishAsync(topic(SITE, 'edge-03', 'data'), 'as-edge-03', { qos: 1 })
    await holder.publishAsync(topic(SITE, 'edge-02', 'data'), 'as-edge-02', { qos: 1 })
    await waitFor(() => got.includes('as-edge-02'), {
      message: 'the certificate holder could not publish as the edge its CN names',
    })
    expect(got).toEqual(['as-edge-02'])
  })
})
