import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startEmbeddedBroker } from '../deploy/demo/broker.ts'
import { confEnv } from '../deploy/pki/ca.ts'
import { runOpenssl } from '../deploy/pki/openssl.ts'
import { manualClock, registry, storeKey, tempDir } from '../test/cloud/helpers.ts'
import { makeTestPki, type TestPki } from '../test/util/crypto-pki.ts'
import { CloudConfigSchema } from './config.ts'
import { createLogger } from './log.ts'
import { startTestCloud } from '../test/util/test-cloud.ts'

/**
 * /api/v1/health reports the signing certificates' CRL (issue 20): its state, dates and entries,
 * and status "degraded" once it has expired (every signed message refused, fail closed). A real
 * cloud on a clock the test moves, a CRL signed by the test PKI to expire in an hour.
 */
describe('the CRL in /api/v1/health', () => {
  let pki: TestPki
  let dir: ReturnType<typeof tempDir>
  let broker: Awaited<ReturnType<typeof startEmbeddedBroker>>
  beforeAll(async () => {
    pki = makeTestPki()
    dir = tempDir()
    broker = await startEmbeddedBroker(0)
  })
  afterAll(async () => {
    await broker?.close()
    dir?.remove()
    pki?.dispose()
  })

  it('says expiring (an hour left), then expired and degraded once the clock passes its nextUpdate', async () => {
    const crl = path.join(dir.dir, 'sm2-crl.pem')
    const layout = pki.pki.layout
    runOpenssl(
      ['ca', '-config', layout.conf, '-name', 'sm2_ca', '-gencrl', '-crlhours', '1', '-out', crl],
      confEnv(layout),
    )
    const d = pki.dirOf('cloud', 'parklink-cloud')
    const clock = manualClock(Date.now())
    const config = CloudConfigSchema.parse({
      dataDir: dir.dir,
      http: { host: '127.0.0.1', port: 0 },
      mqtt: { url: broker.url, clientId: 'cloud-crl-health', reconnectPeriodMs: 200 },
      log: { level: 'silent' },
      registry,
      crypto: { suite: 'sm', key: `${d}/sm2.key`, cert: `${d}/sm2.crt`, ca: `${d}/sm2-ca.crt`, crl, crlCheckS: 1 },
    })
    const cloud = await startTestCloud(config, { log: createLogger({ level: 'silent' }), clock })
    try {
      const key = await storeKey(cloud.store)
      const health = async () =>
        (await (await fetch(`${cloud.url}/api/v1/health`, { headers: { authorization: `Bearer ${key}` } })).json()) as {
          status: string
          ingest: { crypto: { crl: Record<string, unknown> } }
        }
      expect((await health()).ingest.crypto.crl).toMatchObject({
        file: crl,
        state: 'expiring',
        blocking: false,
        revoked: 0,
      })
      clock.advance(2 * 3_600_000)
      await expect.poll(async () => (await health()).ingest.crypto.crl.state, { timeout: 10_000 }).toBe('expired')
      const h = await health()
      expect(h.ingest.crypto.crl).toMatchObject({ blocking: true })
      expect(h.status).toBe('degraded')
    } finally {
      await cloud.stop()
    }
  }, 60_000)
})
