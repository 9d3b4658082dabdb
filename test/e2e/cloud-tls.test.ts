import { copyFileSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CloudConfigSchema, type CloudConfig } from '../../cloud/config.ts'
import { createLogger as createCloudLogger } from '../../cloud/log.ts'
import type { RunningCloud } from '../../cloud/service.ts'
import { DEFAULT_CLOUD_USER } from '../../shared/wire/acl.ts'
import { startShippedMosquitto, type ShippedMosquitto } from '../util/shipped-mosquitto.ts'
import { waitFor } from '../util/wait.ts'
import { startTestCloud } from '../util/test-cloud.ts'

/**
 * The shipped Mosquitto listens with TLS only and wants a client certificate
 * (deploy/mosquitto/parklink.conf), on the park's own PKI: the cloud service reaches it with
 * `mqtt.tls` from `parklink pki issue cloud parklink-cloud` (its CN is its broker user).
 */
describe('the cloud service on the shipped Mosquitto (mqtts, the park CA, its own certificate)', () => {
  let dir: string
  let broker: ShippedMosquitto
  let cloud: RunningCloud | null = null
  const config = (over: Partial<CloudConfig['mqtt']> = {}) =>
    CloudConfigSchema.parse({
      dataDir: path.join(dir, 'cloud'),
      http: { port: 0 },
      mqtt: {
        url: broker.url,
        reconnectPeriodMs: 200,
        tls: { ca: path.join(dir, 'ca.crt'), cert: path.join(dir, 'client.crt'), key: path.join(dir, 'client.key') },
        ...over,
      },
    })

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'parklink-cloud-tls-'))
    broker = await startShippedMosquitto()
    const issued = broker.enrol('cloud', DEFAULT_CLOUD_USER)
    for (const f of ['ca.crt', 'client.crt', 'client.key']) copyFileSync(path.join(issued.dir, f), path.join(dir, f))
  }, 30_000)
  afterAll(async () => {
    await cloud?.stop()
    await broker?.dispose()
    rmSync(dir, { recursive: true, force: true })
  })

  it('connects and subscribes with the park CA and its certificate', async () => {
    cloud = await startTestCloud(config(), { log: createCloudLogger({ level: 'silent' }) })
    await waitFor(() => cloud!.metrics.mqtt.connected, {
      message: () => `cloud not connected over TLS: ${cloud!.metrics.mqtt.lastError}`,
    })
    await cloud.stop()
    cloud = null
  })

  it('refuses to start when the CA file is missing, saying which setting and file (PL_CONFIG_INVALID)', async () => {
    const missing = path.join(dir, 'no-such-ca.crt')
    await expect(
      startTestCloud(
        config({ tls: { ca: missing, cert: path.join(dir, 'client.crt'), key: path.join(dir, 'client.key') } }),
        { log: createCloudLogger({ level: 'silent' }) },
      ),
    ).rejects.toMatchObject({
      code: 'PL_CONFIG_INVALID',
      message: expect.stringContaining(`mqtt.tls.ca: cannot read ${missing}`),
    })
  })
})
