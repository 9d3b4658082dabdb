import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { dashboardRoutes } from './dashboard.ts'

const dir = mkdtempSync(path.join(tmpdir(), 'parklink-dashboard-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('the dashboard at /', () => {
  it('serves the built page (never cached) and its hashed assets (cached for good)', async () => {
    mkdirSync(path.join(dir, 'dist/assets'), { recursive: true })
    writeFileSync(path.join(dir, 'dist/index.html'), '<!doctype html><title>parklink</title>')
    writeFileSync(path.join(dir, 'dist/assets/index-abc.js'), 'console.log(1)')
    const app = dashboardRoutes(path.join(dir, 'dist'))
    const page = await app.request('/')
    expect(page.status).toBe(200)
    expect(page.headers.get('content-type')).toMatch(/text\/html/)
    expect(page.headers.get('cache-control')).toBe('no-cache')
    expect(await page.text()).toContain('<title>parklink</title>')
    const js = await app.request('/assets/index-abc.js')
    expect(js.status).toBe(200)
    expect(js.headers.get('cache-control')).toMatch(/immutable/)
    // Nothing outside dist/assets is served, however the path is written.
    expect((await app.request('/assets/../index.html')).status).not.toBe(200)
    expect((await app.request('/assets/%2e%2e/%2e%2e/package.json')).status).toBe(404)
  })

  it('says how to build it when it is not built', async () => {
    const res = await dashboardRoutes(path.join(dir, 'nothing')).request('/')
    expect(res.status).toBe(503)
    expect(await res.text()).toMatch(/npm run build/)
  })
})
