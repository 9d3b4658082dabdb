import { generateKeyPairSync } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { signViewerToken, verifyViewerToken } from '../../shared/wire/live-token.ts'
import type { Clock } from '../../shared/clock.ts'
import { createConsoleApp } from './app.ts'
import type { ConsoleView } from './view.ts'

const PASSWORD = 'Plant-LAN-2026'
let now = 1_000_000
const clock: Clock = {
  now: () => now,
  setTimeout: () => {
    throw new Error('no timers')
  },
  clearTimeout: () => {},
}
const view = {
  edge: 'shilian-01',
  site: 'huaian',
  values: [{ point: 'tk101.level', value: 4.2, quality: 'good' }],
} as unknown as ConsoleView

function app(onLoginFailure?: (i: { locked: boolean }) => void) {
  return createConsoleApp({
    password: PASSWORD,
    clock,
    sessionMs: 60_000,
    view: () => view,
    ...(onLoginFailure ? { onLoginFailure } : {}),
  })
}
const form = (fields: Record<string, string>) => ({
  method: 'POST',
  body: new URLSearchParams(fields),
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
})
const cookieOf = (res: Response) => (res.headers.get('set-cookie') ?? '').split(';')[0]!

describe('local console app', () => {
  it('sends a visitor without a session to the login page, and refuses the JSON', async () => {
    const a = app()
    const res = await a.request('/?lang=en')
    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe('/login?lang=en')
    const json = await a.request('/api/status')
    expect(json.status).toBe(401)
    expect(await json.json()).toMatchObject({ error: { code: 'PL_UNAUTHENTICATED' } })
  })

  it('logs in with the right password only; the session opens the dashboard and its JSON until it expires', async () => {
    const failures: boolean[] = []
    const a = app((i) => failures.push(i.locked))
    const wrong = await a.request('/login', form({ password: 'guess', lang: 'en' }))
    expect(wrong.status).toBe(401)
    expect(wrong.headers.get('set-cookie')).toBeNull()
    expect(await wrong.text()).toContain('Wrong password')
    expect(failures).toEqual([false])

    const ok = await a.request('/login', form({ password: PASSWORD, lang: 'en' }))
    expect(ok.status).toBe(303)
    expect(ok.headers.get('set-cookie')).toMatch(/HttpOnly/i)
    expect(ok.headers.get('set-cookie')).toMatch(/SameSite=Strict/i)
    const cookie = cookieOf(ok)
    const page = await a.request('/?lang=en', { headers: { cookie } })
    expect(page.status).toBe(200)
    expect(await page.text()).toContain('Live values')
    expect(await (await a.request('/api/status', { headers: { cookie } })).json()).toEqual(view)

    now += 60_000
    expect((await a.request('/api/status', { headers: { cookie } })).status).toBe(401)
  })

  it('locks the login after five wrong passwords, even against the right one', async () => {
    const failures: boolean[] = []
    const a = app((i) => failures.push(i.locked))
    for (let i = 0; i < 5; i++) await a.request('/login', form({ password: `wrong-${i}` }))
    expect(failures.at(-1)).toBe(true)
    const locked = await a.request('/login', form({ password: PASSWORD }))
    expect(locked.status).toBe(429)
    expect(locked.headers.get('set-cookie')).toBeNull()
    now += 61_000
    expect((await a.request('/login', form({ password: PASSWORD }))).status).toBe(303)
  })

  it('counts parallel wrong logins before any is answered: 40 at once get at most 5 tries, then the right password is refused too', async () => {
    // The check and the count run with no await between them (the compare is synchronous), so
    // requests in flight together cannot all read "not locked" and then each add one.
    const a = app()
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) => a.request('/login', form({ password: `wrong-${i}` }))),
    )
    const statuses = answers.map((r) => r.status)
    expect(statuses.filter((s) => s === 401)).toHaveLength(5)
    expect(statuses.filter((s) => s === 429)).toHaveLength(35)
    expect((await a.request('/login', form({ password: PASSWORD }))).status).toBe(429)
  })

  it('refuses a body over the limit with 413 and a stable code, whatever the route and whether or not it says its length', async () => {
    const a = createConsoleApp({ password: PASSWORD, clock, sessionMs: 60_000, view: () => view, maxBodyBytes: 2048 })
    const big = `password=${'x'.repeat(4096)}`
    const declared = await a.request('/login', {
      method: 'POST',
      body: big,
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(big.length) },
    })
    expect(declared.status).toBe(413)
    expect(await declared.json()).toMatchObject({ error: { code: 'PL_PAYLOAD_TOO_LARGE' } })
    const streamed = new ReadableStream({
      start(c) {
        c.enqueue(new TextEncoder().encode(big))
        c.close()
      },
    })
    const chunked = await a.request('/logout', {
      method: 'POST',
      body: streamed,
      duplex: 'half',
      headers: { 'transfer-encoding': 'chunked' },
    } as RequestInit)
    expect(chunked.status).toBe(413)
    // A browser gets the login page with the refusal in its language.
    const html = await a.request('/login', {
      method: 'POST',
      body: big,
      headers: {
        accept: 'text/html',
        'content-type': 'application/x-www-form-urlencoded',
        'content-length': String(big.length),
      },
    })
    expect(html.status).toBe(413)
    expect(await html.text()).toContain('请求内容过大')
    expect((await a.request('/login', form({ password: PASSWORD }))).status).toBe(303)
  })

  it('serves self-contained pages: zh-CN by default, English on request, no external assets, scripts only with the nonce', async () => {
    const a = app()
    const zh = await a.request('/login')
    const html = await zh.text()
    expect(html).toContain('<html lang="zh-CN">')
    expect(html).toContain('密码')
    expect(html).not.toMatch(/(src|href)=["']?(https?:)?\/\//)
    const csp = zh.headers.get('content-security-policy') ?? ''
    expect(csp).toMatch(/default-src 'none'/)
    const nonce = /script-src 'nonce-([^']+)'/.exec(csp)?.[1]
    expect(nonce).toBeTruthy()
    const cookie = cookieOf(await a.request('/login', form({ password: PASSWORD })))
    const dash = await (await a.request('/', { headers: { cookie } })).text()
    expect(dash).toContain('实时数据')
    expect(dash).not.toMatch(/(src|href)=["']?(https?:)?\/\//)
    expect([...dash.matchAll(/<script([^>]*)>/g)].every((m) => /nonce="[^"]+"/.test(m[1]!))).toBe(true)
    expect(await (await a.request('/?lang=en', { headers: { cookie } })).text()).toContain('Live values')
  })

  it('logs out: the cookie is cleared', async () => {
    const a = app()
    const res = await a.request('/logout', form({ lang: 'en' }))
    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe('/login?lang=en')
    expect(res.headers.get('set-cookie')).toMatch(/Max-Age=0/)
  })

  it('gives its logged-in technician a viewer token for a camera of this edge, and nobody else', async () => {
    const key = generateKeyPairSync('ed25519')
    const a = createConsoleApp({
      password: PASSWORD,
      clock,
      sessionMs: 60_000,
      view: () => view,
      liveToken: async (camera) =>
        camera === 'cam-gate'
          ? await signViewerToken(key.privateKey, {
              camera,
              subject: 'console',
              issuer: 'parklink-edge-shilian-01',
              now: clock.now(),
            })
          : null,
    })
    expect((await a.request('/api/live-token/cam-gate', { method: 'POST' })).status).toBe(401)
    const cookie = cookieOf(await a.request('/login', form({ password: PASSWORD, lang: 'en' })))
    const res = await a.request('/api/live-token/cam-gate', { method: 'POST', headers: { cookie } })
    expect(res.status).toBe(200)
    const { token } = (await res.json()) as { token: string }
    expect(await verifyViewerToken(token, 'cam-gate', [key.publicKey], clock.now())).toMatchObject({
      ok: true,
      subject: 'console',
    })
    expect((await a.request('/api/live-token/cam-elsewhere', { method: 'POST', headers: { cookie } })).status).toBe(404)
  })
})
