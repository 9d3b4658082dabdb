import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Clock } from '../../../shared/clock.ts'
import { createLogger } from '../../log.ts'
import { createConsoleApp } from '../app.ts'
import type { ConsoleView } from '../view.ts'
import { createConfigEditor } from './editor.ts'

/**
 * The configuration routes' guards, through the console app with the real editor on a config
 * file: a write needs the session and a request from the console's own page (CSRF), a refused
 * change leaves the file as it was, and a read-only console (no editor) has no /config at all.
 * The applies themselves (and their rollback) run through the supervisor in the Chromium test.
 */
const PASSWORD = 'Plant-LAN-2026'
const clock: Clock = { now: () => 1_000_000, setTimeout: () => 0 as never, clearTimeout: () => {} }
const CONFIG = `site: huaian
edge: e1
dataDir: ./data
uplink: { url: 'mqtt://127.0.0.1:1883' }
devices:
  - id: dcs
    kind: modbus-tcp
    host: 127.0.0.1
    points: [{ id: tk101.level, address: hr0 }]
`

describe('console configuration routes', () => {
  let dir: string
  let file: string
  const applied: string[] = []
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'parklink-config-routes-'))
    file = path.join(dir, 'edge.yaml')
    writeFileSync(file, CONFIG)
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  const app = (withEditor = true) =>
    createConsoleApp({
      password: PASSWORD,
      clock,
      sessionMs: 60_000,
      view: () => ({}) as ConsoleView,
      ...(withEditor
        ? {
            configure: createConfigEditor({
              file,
              dataDir: path.join(dir, 'data'),
              clock,
              log: createLogger('routes-test', 'silent'),
              env: {},
              applyFile: async () => {
                applied.push(readFileSync(file, 'utf8'))
                return { outcome: 'applied', configHash: 'h' }
              },
            }),
          }
        : {}),
    })
  const login = async (a: ReturnType<typeof app>) => {
    const res = await a.request('/login', {
      method: 'POST',
      body: new URLSearchParams({ password: PASSWORD, name: '李工<script>' }),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    })
    return (res.headers.get('set-cookie') ?? '').split(';')[0]!
  }
  const draft = { id: 'plc2', kind: 'modbus-tcp', host: '127.0.0.1', points: [{ id: 'tk102.level', address: 'hr2' }] }
  const post = (cookie: string, headers: Record<string, string> = {}, body: unknown = draft) => ({
    method: 'POST',
    body: JSON.stringify(body),
    headers: { 'content-type': 'application/json', cookie, ...headers },
  })

  it('refuses writes without a session, or not from the console page', async () => {
    const a = app()
    expect((await a.request('/api/config/devices', post(''))).status).toBe(401)
    expect((await a.request('/config')).status).toBe(303)
    const cookie = await login(a)
    const noHeader = await a.request('/api/config/devices', post(cookie))
    expect(noHeader.status).toBe(403)
    expect(await noHeader.json()).toMatchObject({ error: { code: 'PL_FORBIDDEN', hint: expect.any(String) } })
    const foreign = await a.request(
      '/api/config/devices',
      post(cookie, { 'x-parklink-console': '1', origin: 'http://evil.example' }),
    )
    expect(foreign.status).toBe(403)
    const crossSite = await a.request(
      '/api/config/devices',
      post(cookie, { 'x-parklink-console': '1', 'sec-fetch-site': 'cross-site' }),
    )
    expect(crossSite.status).toBe(403)
    expect(readFileSync(file, 'utf8')).toBe(CONFIG)
    expect(applied).toEqual([])
  })

  it('refuses an invalid device with its problems and leaves the file alone; a valid one is written, applied and logged with who', async () => {
    const a = app()
    const cookie = await login(a)
    const h = { 'x-parklink-console': '1', origin: 'http://localhost' }
    const bad = await a.request('/api/config/devices', post(cookie, h, { ...draft, host: '192.168.10.300' }))
    expect(bad.status).toBe(422)
    expect(((await bad.json()) as { problems: unknown[] }).problems[0]).toMatchObject({
      message: expect.stringMatching(/^devices\.1\.host: /),
    })
    const writable = await a.request(
      '/api/config/devices',
      post(cookie, h, { ...draft, points: [{ id: 'x', address: 'hr1', writable: true }] }),
    )
    expect(writable.status).toBe(400) // the console has no writable switch
    expect(readFileSync(file, 'utf8')).toBe(CONFIG)

    const ok = await a.request('/api/config/devices', post(cookie, h))
    expect(ok.status).toBe(202)
    const { change } = (await ok.json()) as { change: string }
    await expect.poll(() => applied.length).toBe(1)
    expect(applied[0]).toContain('- id: plc2')
    await expect
      .poll(
        async () =>
          (
            (await (await a.request('/api/config/changes', { headers: { cookie } })).json()) as {
              changes: Array<{ id: string; outcome: string; who: string }>
            }
          ).changes[0],
      )
      .toMatchObject({ id: change, outcome: 'applied', who: '李工script' })
  })

  it('serves no configuration pages on a read-only console', async () => {
    const a = app(false)
    const cookie = await login(a)
    expect((await a.request('/config', { headers: { cookie } })).status).toBe(404)
    expect((await a.request('/api/config/devices', post(cookie, { 'x-parklink-console': '1' }))).status).toBe(404)
  })
})
