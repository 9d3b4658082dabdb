import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { systemClock } from '../../../shared/clock.ts'
import type { Sample } from '../../../shared/wire/sample.ts'
import { startOpcuaSim, type OpcuaSim } from '../../../test/sim/opcua-sim.ts'
import { waitFor } from '../../../test/util/wait.ts'
import { createLogger } from '../../log.ts'
import { startPoller, type Poller } from '../poller.ts'
import { OpcuaDeviceConfig } from './config.ts'
import { createOpcuaDriver } from './index.ts'

/**
 * OPC UA security (Part 7 security policy profiles; Part 4 §5.4.1 certificates) against
 * node-opcua servers that offer only what a test names: the current policies
 * Aes128_Sha256_RsaOaep and Aes256_Sha256_RsaPss, Sign-only and SignAndEncrypt, and servers or
 * edges that refuse the other side's certificate. A failure on the very first connection is
 * logged once with its reason.
 */
const logs: Array<{ msg: string; level: number; code?: string; error?: string; hint?: string }> = []
const log = createLogger('opcua-security-test', 'warn', { write: (line: string) => void logs.push(JSON.parse(line)) })
const dataDir = mkdtempSync(path.join(tmpdir(), 'parklink-opcua-security-'))
const cleanup: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c()
})
afterAll(() => rmSync(dataDir, { recursive: true, force: true }))

const LEVEL = 'fuqiang.tk201.level'

function run(sim: OpcuaSim, extra: Record<string, unknown>, deviceDir = dataDir) {
  const config = OpcuaDeviceConfig.parse({
    id: 'fuqiang-dcs',
    kind: 'opcua',
    endpoint: sim.endpoint,
    acceptUnknownServerCertificate: true,
    publishingIntervalMs: 100,
    samplingIntervalMs: 100,
    timeoutMs: 5_000,
    points: [{ id: LEVEL, nodeId: 'ns=1;s=TK201.Level' }],
    ...extra,
  })
  const driver = createOpcuaDriver(config, { clock: systemClock, log, dataDir: deviceDir })
  const latest = new Map<string, Sample>()
  let poller: Poller | null = null
  cleanup.push(async () => {
    await poller?.stop()
    await driver.stop()
  })
  return {
    driver,
    latest,
    async start() {
      await driver.start()
      poller = startPoller({
        drivers: [driver],
        clock: systemClock,
        log,
        onSamples: (_d, samples) => samples.forEach((s) => latest.set(s.point, s)),
      })
    },
  }
}

describe('OPC UA against a server that offers only Aes128_Sha256_RsaOaep and Aes256_Sha256_RsaPss', () => {
  let sim: OpcuaSim
  beforeAll(async () => {
    sim = await startOpcuaSim({
      securityPolicies: ['Aes128_Sha256_RsaOaep', 'Aes256_Sha256_RsaPss'],
      securityModes: ['Sign', 'SignAndEncrypt'],
    })
    sim.setValue('TK201.Level', 4.75)
  })
  afterAll(async () => sim.stop())

  it.each([
    ['Aes128_Sha256_RsaOaep', 'SignAndEncrypt'],
    ['Aes256_Sha256_RsaPss', 'SignAndEncrypt'],
    ['Aes128_Sha256_RsaOaep', 'Sign'],
    ['Aes256_Sha256_RsaPss', 'Sign'],
  ])('%s %s: values flow', { timeout: 60_000 }, async (securityPolicy, securityMode) => {
    const r = run(sim, { securityPolicy, securityMode })
    await r.start()
    // Bound only: RSA key operations are slow on a loaded 2-core machine.
    await waitFor(() => r.latest.get(LEVEL)?.quality === 'good', {
      timeoutMs: 30_000,
      message: () => JSON.stringify([r.driver.status(), logs]),
    })
    expect(r.latest.get(LEVEL)?.value).toBe(4.75)
    expect(r.driver.status()).toMatchObject({ state: 'connected', lastError: null })
  })

  it('a policy the server does not offer: bad, PL_DEVICE_SECURITY_MISMATCH logged at the first connection', async () => {
    logs.length = 0
    const r = run(sim, { securityPolicy: 'Basic256Sha256', securityMode: 'SignAndEncrypt' })
    await r.start()
    await waitFor(() => r.latest.get(LEVEL)?.quality === 'bad', { timeoutMs: 30_000 })
    expect(r.driver.status()).toMatchObject({
      state: 'disconnected',
      lastError: expect.stringMatching(/Basic256Sha256/),
    })
    expect(firstFailureLogs()).toEqual([
      expect.objectContaining({ code: 'PL_DEVICE_SECURITY_MISMATCH', hint: expect.stringContaining('securityPolicy') }),
    ])
  }, 60_000)
})

describe('OPC UA certificates refused, in either direction', () => {
  it("the server does not trust the edge's certificate: bad, the reason logged at the first connection", async () => {
    const sim = await startOpcuaSim({
      securityPolicies: ['Aes256_Sha256_RsaPss'],
      securityModes: ['SignAndEncrypt'],
      trustUnknownClients: false,
    })
    cleanup.push(() => sim.stop())
    logs.length = 0
    const own = mkdtempSync(path.join(dataDir, 'untrusted-'))
    const r = run(sim, { securityPolicy: 'Aes256_Sha256_RsaPss', securityMode: 'SignAndEncrypt' }, own)
    await r.start()
    await waitFor(() => r.latest.get(LEVEL)?.quality === 'bad', { timeoutMs: 30_000 })
    expect(r.latest.get(LEVEL)?.reason).toMatch(/BadSecurityChecksFailed/)
    expect(r.driver.status()).toMatchObject({ state: 'disconnected', lastError: expect.stringMatching(/certificate/) })
    expect(firstFailureLogs()).toEqual([
      expect.objectContaining({
        code: 'PL_DEVICE_CERT_REJECTED',
        error: expect.stringMatching(/BadSecurityChecksFailed/),
        hint: expect.stringContaining('pki/own/certs'),
      }),
    ])
  }, 60_000)

  it("the edge does not trust the server's certificate: bad, the certificate kept under pki/rejected", async () => {
    const sim = await startOpcuaSim({ securityPolicies: ['Aes128_Sha256_RsaOaep'], securityModes: ['Sign'] })
    cleanup.push(() => sim.stop())
    logs.length = 0
    const own = mkdtempSync(path.join(dataDir, 'strict-'))
    const r = run(
      sim,
      { securityPolicy: 'Aes128_Sha256_RsaOaep', securityMode: 'Sign', acceptUnknownServerCertificate: false },
      own,
    )
    await r.start()
    await waitFor(() => r.latest.get(LEVEL)?.quality === 'bad', { timeoutMs: 30_000 })
    expect(r.driver.status().lastError).toMatch(/BadCertificateUntrusted/)
    expect(firstFailureLogs()).toEqual([
      expect.objectContaining({ code: 'PL_DEVICE_CERT_REJECTED', hint: expect.stringContaining('pki/rejected') }),
    ])
    // What the hint says to move: the server's certificate, waiting under the device's pki/rejected.
    expect(readdirSync(path.join(own, 'pki', 'rejected')).length).toBeGreaterThan(0)
  }, 60_000)

  it('a wrong password: bad, PL_DEVICE_AUTH_FAILED logged at the first connection', async () => {
    const sim = await startOpcuaSim({
      users: [{ username: 'edge', password: 'demo-only-password' }],
      securityPolicies: ['Aes128_Sha256_RsaOaep'],
      securityModes: ['SignAndEncrypt'],
    })
    cleanup.push(() => sim.stop())
    logs.length = 0
    process.env.PARKLINK_TEST_OPCUA_SEC_PW = 'not-the-password'
    cleanup.push(async () => void delete process.env.PARKLINK_TEST_OPCUA_SEC_PW)
    const r = run(sim, {
      securityPolicy: 'Aes128_Sha256_RsaOaep',
      securityMode: 'SignAndEncrypt',
      identity: { type: 'username', username: 'edge', passwordEnv: 'PARKLINK_TEST_OPCUA_SEC_PW' },
    })
    await r.start()
    await waitFor(() => r.latest.get(LEVEL)?.quality === 'bad', { timeoutMs: 30_000 })
    expect(firstFailureLogs()).toEqual([
      expect.objectContaining({ code: 'PL_DEVICE_AUTH_FAILED', hint: expect.stringContaining('password') }),
    ])
    expect(JSON.stringify(logs)).not.toContain('not-the-password')
  }, 60_000)
})

/** The warnings that say why a device never connected since its start. */
const firstFailureLogs = () => logs.filter((l) => l.msg.startsWith('device not reachable since start'))
