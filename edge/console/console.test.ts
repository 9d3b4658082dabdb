import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { request } from 'node:https'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startModbusSim, type ModbusSim } from '../../test/sim/modbus-sim.ts'
import { freePort } from '../../test/util/ports.ts'
import { waitFor } from '../../test/util/wait.ts'
import { startEdgeAgent } from '../agent.ts'
import { EdgeConfigSchema, resolveEdgeConfig } from '../config.ts'
import { createLogger } from '../log.ts'
import { parseListen } from './config.ts'
import { captureLogger } from '../../test/util/edge-support.ts'

/** The console as the agent serves it: refused without a password, bound where configured, live values in its JSON. */
describe('local console in the agent', () => {
  let dir: string
  let sim: ModbusSim
  let mqttPort: number
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'parklink-console-'))
    sim = await startModbusSim()
    mqttPort = await freePort() // nothing listens: the uplink stays down, as on a site without a line
  })
  afterAll(async () => {
    await sim.stop()
    rmSync(dir, { recursive: true, force: true })
  })
  const config = (name: string, listen: string | number, tls?: { cert: string; key: string }) =>
    resolveEdgeConfig(
      EdgeConfigSchema.parse({
        site: 'huaian',
        edge: 'e1',
        dataDir: `./${name}`,
        uplink: { url: `mqtt://127.0.0.1:${mqttPort}`, reconnectMinMs: 50, reconnectMaxMs: 200 },
        devices: [
          {
            id: 'dcs',
            kind: 'modbus-tcp',
            host: '127.0.0.1',
            port: sim.port,
            pollMs: 100,
            points: [{ id: 'tk101.level', name: '液位', unit: 'm', address: 'hr0', type: 'float32' }],
          },
        ],
        console: { listen, passwordEnv: 'TEST_CONSOLE_PW', ...(tls ? { tls } : {}) },
      }),
      dir,
    )
  const log = createLogger('console-test', 'silent')

  it('parses where to listen: an IPv4 address and port, or a bare port on loopback', () => {
    expect(parseListen('192.168.1.10:8088')).toEqual({ host: '192.168.1.10', port: 8088 })
    expect(parseListen(8088)).toEqual({ host: '127.0.0.1', port: 8088 })
    expect(parseListen('eth0:8088')).toBeNull()
    expect(parseListen('192.168.1.10')).toBeNull()
    expect(
      EdgeConfigSchema.safeParse({ console: { listen: 'plant-lan', passwordEnv: 'X' } }).error?.issues.some(
        (i) => i.path.join('.') === 'console.listen',
      ),
    ).toBe(true)
  })

  it('refuses to start without the password variable, before opening anything', async () => {
    const c = config('no-password', '127.0.0.1:0')
    await expect(startEdgeAgent(c, { log, env: {} })).rejects.toMatchObject({
      code: 'PL_CONFIG_INVALID',
      message: expect.stringMatching(/TEST_CONSOLE_PW.*not set/),
      hint: expect.stringMatching(/set TEST_CONSOLE_PW/),
    })
    await expect(startEdgeAgent(c, { log, env: { TEST_CONSOLE_PW: 'short' } })).rejects.toMatchObject({
      code: 'PL_CONFIG_INVALID',
      message: expect.stringMatching(/too short/),
    })
    expect(existsSync(path.join(c.dataDir, 'outbox.db'))).toBe(false)
  })

  it('says which address is wrong when no network card has it', async () => {
    const c = config('bad-address', '192.0.2.77:0')
    await expect(startEdgeAgent(c, { log, env: { TEST_CONSOLE_PW: 'long-enough-1' } })).rejects.toMatchObject({
      code: 'PL_LISTEN_FAILED',
      hint: expect.stringMatching(/no network card/),
    })
  })

  it('serves the live values, quality and the down uplink to a logged-in client', async () => {
    sim.setValue('holding', 0, 4.25, 'float32')
    const logged = captureLogger('info')
    const agent = await startEdgeAgent(config('live', '127.0.0.1:0'), {
      log: logged.log,
      env: { TEST_CONSOLE_PW: 'long-enough-1' },
    })
    try {
      expect(agent.consoleUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
      const login = await fetch(`${agent.consoleUrl}/login`, {
        method: 'POST',
        body: new URLSearchParams({ password: 'long-enough-1' }),
        redirect: 'manual',
      })
      expect(login.status).toBe(303)
      const cookie = login.headers.get('set-cookie')!.split(';')[0]!
      const status = async () =>
        (await fetch(`${agent.consoleUrl}/api/status`, { headers: { cookie } })).json() as Promise<{
          values: Array<{ point: string; value: unknown; quality: string }>
          uplink: { connected: boolean }
          drivers: Array<{ lastGoodAt: number | null }>
        }>
      const first = await waitFor(async () => (await status()).values.find((v) => v.value === 4.25))
      expect(first).toMatchObject({ point: 'tk101.level', quality: 'good' })
      sim.setValue('holding', 0, 5.5, 'float32')
      await waitFor(async () => (await status()).values.find((v) => v.value === 5.5))
      const s = await status()
      expect(s.uplink.connected).toBe(false)
      expect(s.drivers[0]!.lastGoodAt).toBeGreaterThan(0)
      // Logins are audited with the client's address; the password never reaches the log.
      expect(logged.lines()).toContainEqual(
        expect.objectContaining({ msg: 'console login', remote: '127.0.0.1', component: 'console' }),
      )
      expect(logged.text()).not.toContain('long-enough-1')
    } finally {
      await agent.stop()
    }
    // Stopped with the agent: nothing listens any more.
    await expect(fetch(`${agent.consoleUrl}/login`)).rejects.toThrow()
  })

  it('serves HTTPS with the configured certificate; the session cookie is then Secure', async () => {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-keyout',
        'console.key',
        '-out',
        'console.crt',
        '-subj',
        '/CN=127.0.0.1',
        '-days',
        '1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
      ],
      { cwd: dir, stdio: 'pipe' },
    )
    const agent = await startEdgeAgent(config('tls', '127.0.0.1:0', { cert: 'console.crt', key: 'console.key' }), {
      log,
      env: { TEST_CONSOLE_PW: 'long-enough-1' },
    })
    try {
      expect(agent.consoleUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/)
      const url = new URL('/login', agent.consoleUrl!)
      const res = await new Promise<{ status: number; cookie: string }>((resolve, reject) => {
        const req = request(
          url,
          {
            method: 'POST',
            ca: readFileSync(path.join(dir, 'console.crt')),
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
          },
          (r) => {
            r.resume()
            resolve({ status: r.statusCode ?? 0, cookie: String(r.headers['set-cookie'] ?? '') })
          },
        )
        req.on('error', reject)
        req.end('password=long-enough-1')
      })
      expect(res.status).toBe(303)
      expect(res.cookie).toMatch(/; Secure/i)
    } finally {
      await agent.stop()
    }
    await expect(
      startEdgeAgent(config('tls-missing', '127.0.0.1:0', { cert: 'nope.crt', key: 'console.key' }), {
        log,
        env: { TEST_CONSOLE_PW: 'long-enough-1' },
      }),
    ).rejects.toMatchObject({
      code: 'PL_CONFIG_INVALID',
      message: expect.stringMatching(/console\.tls\.cert: cannot read/),
    })
  })
})
