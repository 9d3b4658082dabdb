import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CloudConfigSchema, type CloudConfig } from '../../cloud/config.ts'
import { createLogger as createCloudLogger } from '../../cloud/log.ts'
import { startCloud, type RunningCloud } from '../../cloud/service.ts'
import { DEFAULT_CLOUD_USER } from '../../shared/wire/acl.ts'
import { startShippedMosquitto, type ShippedMosquitto } from '../util/shipped-mosquitto.ts'
import { waitFor } from '../util/wait.ts'

/**
 * The shipped Mosquitto listens with TLS only (deploy/mosquitto/parklink.conf), on the park's
 * own PKI: the cloud service reaches it with `mqtt.tls.ca` and its own broker user.
 */
describe('the cloud service on the shipped Mosquitto (mqtts, the park CA, its own user)', () => {
  const password = `cloud-${Math.random().toString(36).slice(2)}`
  let dir: string
  let broker: ShippedMosquitto
  let cloud: RunningCloud | null = null
  const config = (over: Partial<CloudConfig['mqtt']> = {}) => CloudConfigSchema.parse({
    dataDir: path.join(dir, 'cloud'),
    http: { port: 0 },
    mqtt: { url: broker.url, username: DEFAULT_CLOUD_USER, passwordEnv: 'PARKLINK_TEST_MQTT_PASSWORD', reconnectPeriodMs: 200, tls: { ca: path.join(dir, 'park-ca.crt') }, ...over },
  })

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'parklink-cloud-tls-'))
    broker = await startShippedMosquitto({ [DEFAULT_CLOUD_USER]: password })
    writeFileSync(path.join(dir, 'park-ca.crt'), broker.ca)
  }, 30_000)
  afterAll(async () => {
    await cloud?.stop()
    await broker?.dispose()
    rmSync(dir, { recursive: true, force: true })
  })

  it('connects and subscribes with the park CA', async () => {
    cloud = await startCloud(config(), { log: createCloudLogger({ level: 'silent' }), env: { PARKLINK_TEST_MQTT_PASSWORD: password } })
    await waitFor(() => cloud!.metrics.mqtt.connected, { message: () => `cloud not connected over TLS: ${cloud!.metrics.mqtt.lastError}` })
    await cloud.stop()
    cloud = null
  })

  it('refuses to start when the CA file is missing, saying which setting and file (PL_CONFIG_INVALID)', async () => {
    const missing = path.join(dir, 'no-such-ca.crt')
    await expect(startCloud(config({ tls: { ca: missing } }), { log: createCloudLogger({ level: 'silent' }), env: { PARKLINK_TEST_MQTT_PASSWORD: password } }))
      .rejects.toMatchObject({ code: 'PL_CONFIG_INVALID', message: expect.stringContaining(`mqtt.tls.ca: cannot read ${missing}`) })
  })
})
