import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Hono } from 'hono'
import {
  LEVEL,
  NH3,
  PRESSURE,
  T0,
  batch,
  captureLogger,
  good,
  manualClock,
  registry,
  signedIn,
  tempStore,
  testAuth,
  testKey,
} from '../../test/cloud/helpers.ts'
import { createMetrics } from '../metrics.ts'
import { createApp } from './app.ts'

/** The registry through the API: thresholds reach the alarm engine, are audited, survive a restart; CSV import/export. */
const clock = manualClock()
let env: Awaited<ReturnType<typeof tempStore>>
let admin: Pick<Hono, 'request'>
let auditor: Pick<Hono, 'request'>
let shilianUser: Pick<Hono, 'request'>

beforeEach(async () => {
  env = await tempStore()
  clock.set(T0)
  const auth = testAuth(env.store, clock)
  const app = createApp({ store: env.store, clock, metrics: createMetrics(T0), log: captureLogger().log, ...auth })
  admin = signedIn(app, await testKey(auth.accounts, 'park_admin'))
  auditor = signedIn(app, await testKey(auth.accounts, 'auditor'))
  shilianUser = signedIn(app, await testKey(auth.accounts, 'enterprise_user', 'shilian'))
})
afterEach(async () => env.dispose())

const json = (method: string, body: unknown) => ({
  method,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
})
const read = async (res: Response | Promise<Response>): Promise<any> => (await res).json()
const csv = (body: string) => ({ method: 'POST', headers: { 'content-type': 'text/csv; charset=utf-8' }, body })

describe('registry API', () => {
  it('a threshold change reaches the alarm engine, is audited with old and new, and survives the config at the next start', async () => {
    // Before: H is 9.5, so 9.0 raises nothing.
    await env.store.ingestBatch(batch(1, [good(LEVEL, T0, 9.0)]), { site: 'huaian', receivedAt: T0 })
    expect(await env.store.listAlarms({ scope: 'all', state: 'active', limit: 10 })).toEqual([])

    const res = await admin.request(
      `/api/v1/registry/points/${LEVEL}`,
      json('PATCH', { h: 8.5, substance: '液氨', cas: '7664-41-7' }),
    )
    expect(res.status, await res.clone().text()).toBe(200)
    expect(await read(res)).toMatchObject({
      id: LEVEL,
      h: 8.5,
      hh: 10.5,
      l: 2,
      ll: 1,
      substance: '液氨',
      cas: '7664-41-7',
    })

    await env.store.ingestBatch(batch(2, [good(LEVEL, T0 + 1000, 9.0)]), { site: 'huaian', receivedAt: T0 + 1000 })
    const alarms = await env.store.listAlarms({ scope: 'all', state: 'active', limit: 10 })
    expect(alarms.map((a) => [a.point, a.kind, a.limit])).toEqual([[LEVEL, 'H', 8.5]])

    const audit = await read(
      auditor.request(`/api/v1/audit?action=${encodeURIComponent('PATCH /api/v1/registry/points/:id')}`),
    )
    expect(audit).toHaveLength(1)
    expect(audit[0]).toMatchObject({
      actor: 'key:test-park_admin-park',
      target: `points/${LEVEL}`,
      outcome: 'ok',
      at: T0,
      before: { h: 9.5, cas: null },
      after: { h: 8.5, cas: '7664-41-7' },
    })

    // The config file seeds; the database wins afterwards.
    await env.store.applyRegistry(registry)
    expect(await env.store.registry.getPoint(LEVEL, 'all')).toMatchObject({ h: 8.5 })
    expect(await env.store.registry.getPoint(PRESSURE, 'all')).toMatchObject({ h: 0.85 })
    // A point taken out through the API stays out.
    expect((await admin.request(`/api/v1/registry/points/${PRESSURE}`, { method: 'DELETE' })).status).toBe(204)
    await env.store.applyRegistry(registry)
    expect((await env.store.registry.listPoints('all')).map((p) => p.id)).not.toContain(PRESSURE)
  })

  it('refuses inconsistent thresholds and unknown references with the reason, and changes nothing', async () => {
    const bad = await admin.request(`/api/v1/registry/points/${LEVEL}`, json('PATCH', { hh: 9 }))
    expect(bad.status).toBe(400)
    expect((await read(bad)).error.message).toMatch(/hh/)
    const ref = await admin.request(`/api/v1/registry/points/${LEVEL}`, json('PATCH', { area: 'fuqiang-tf' }))
    expect(ref.status).toBe(400)
    const level = await admin.request(
      '/api/v1/registry/hazard-sources',
      json('POST', { id: 'shilian-mhs', enterprise: 'shilian', name: '罐区', level: 5 }),
    )
    expect(level.status).toBe(400)
    expect((await read(level)).error.message).toMatch(/level/)
    expect(await env.store.registry.getPoint(LEVEL, 'all')).toMatchObject({ hh: 10.5, area: null })
  })

  it('hazard sources and areas: created under an enterprise, bound to points, not deleted while used; an enterprise sees its own only', async () => {
    expect(
      (
        await admin.request(
          '/api/v1/registry/hazard-sources',
          json('POST', { id: 'shilian-mhs', enterprise: 'shilian', name: '液氨罐区', level: 2 }),
        )
      ).status,
    ).toBe(201)
    expect(
      (
        await admin.request(
          '/api/v1/registry/areas',
          json('POST', { id: 'fuqiang-tf', enterprise: 'fuqiang', name: '液氯罐区' }),
        )
      ).status,
    ).toBe(201)
    expect(
      (await admin.request(`/api/v1/registry/points/${LEVEL}`, json('PATCH', { hazardSource: 'shilian-mhs' }))).status,
    ).toBe(200)
    expect((await admin.request('/api/v1/registry/hazard-sources/shilian-mhs', { method: 'DELETE' })).status).toBe(409)
    expect(await read(shilianUser.request('/api/v1/registry/areas'))).toEqual([])
    expect((await read(shilianUser.request('/api/v1/registry/points'))).map((p: { id: string }) => p.id)).not.toContain(
      PRESSURE,
    )
    expect((await shilianUser.request(`/api/v1/registry/points/${LEVEL}`, json('PATCH', { h: 1 }))).status).toBe(403)
    // Latest values in bulk, by hazard source, area or class.
    const ids = async (query: string) =>
      (await read(admin.request(`/api/v1/points?${query}`))).map((p: { id: string }) => p.id)
    expect(await ids('hazardSource=shilian-mhs')).toEqual([LEVEL])
    expect(await ids('area=fuqiang-tf')).toEqual([])
    expect(await ids('class=gas')).toEqual(expect.arrayContaining([NH3]))
    expect(await ids('class=gas')).not.toContain(LEVEL)
    expect((await admin.request('/api/v1/points?class=reactor')).status).toBe(400)
  })
})

describe('CSV import and export', () => {
  const HEADER =
    '点位编号,点位名称,企业,类别,单位,监测物质,CAS号,量程下限,量程上限,一级阈值上限/高报,二级阈值上限/高高报,一级阈值下限/低报,二级阈值下限/低低报'
  it('reports every bad row with its row, column and what to do, and imports nothing', async () => {
    const body = `\uFEFF${HEADER}\r\nshilian.gt102.nh3,氨气检测GT-102,shilian,gas,ppm,氨,7664-41-7,0,100,20,40,,\r\nshilian.gt103.nh3,氨气检测GT-103,shilian,gas,ppm,氨,7664-41-7,0,100,二十,40,,\r\nshilian.gt104.nh3,氨气检测GT-104,nobody,gas,ppm,氨,7664-41-7,0,100,50,40,,\r\n`
    const res = await admin.request('/api/v1/registry/points/import', csv(body))
    expect(res.status).toBe(400)
    const out = await read(res)
    expect(out.error.code).toBe('PL_BAD_REQUEST')
    expect(out.rows).toEqual([
      { row: 3, column: '一级阈值上限/高报', message: '"二十" is not a number' },
      { row: 4, column: '', message: '二级阈值上限 (hh) must be ≥ 一级阈值上限 (h)' },
    ])
    expect(await env.store.registry.getPoint('shilian.gt102.nh3', 'all')).toBeNull()
  })

  it('a gas point imported without thresholds alarms at the GB/T 50493 levels of its unit', async () => {
    const body = `${HEADER}\nshilian.gt105.h2,氢气检测GT-105,shilian,gas,%LEL,氢,1333-74-0,0,100,,,,\n`
    expect((await admin.request('/api/v1/registry/points/import', csv(body))).status).toBe(200)
    expect((await env.store.getPoint('shilian.gt105.h2', 'all'))?.limits).toMatchObject({ h: 25, hh: 50 })
  })

  it('a reference the database refuses rolls the whole file back', async () => {
    const body = `${HEADER}\nshilian.gt102.nh3,氨气检测GT-102,shilian,gas,ppm,氨,7664-41-7,0,100,20,40,,\nx.gt1,检测,nobody,gas,ppm,氨,,0,100,20,40,,\n`
    const res = await admin.request('/api/v1/registry/points/import', csv(body))
    expect(res.status).toBe(400)
    expect((await read(res)).error.message).toMatch(/no enterprise nobody/)
    expect(await env.store.registry.getPoint('shilian.gt102.nh3', 'all')).toBeNull()
  })

  it('export produces what import reads: a round trip changes nothing, an edited cell changes that point (audited)', async () => {
    const res = await admin.request('/api/v1/registry/points/export')
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8')
    const bytes = new Uint8Array(await res.arrayBuffer())
    expect([...bytes.slice(0, 3)], 'a UTF-8 BOM for Excel').toEqual([0xef, 0xbb, 0xbf])
    const exported = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes)
    expect(exported.startsWith('\uFEFF点位编号,点位名称,企业,类别')).toBe(true)
    const same = await read(admin.request('/api/v1/registry/points/import', csv(exported)))
    expect(same).toMatchObject({ rows: 3, changed: 0 })
    const edited = exported.replace(
      '液氯储罐V-201压力,fuqiang,mhs,MPa,,,,,,0.85',
      '液氯储罐V-201压力,fuqiang,mhs,MPa,,,,,,0.8',
    )
    expect(edited).not.toBe(exported)
    const dry = await read(admin.request('/api/v1/registry/points/import?dryRun=1', csv(edited)))
    expect(dry).toMatchObject({ dryRun: true, changed: 1, points: [PRESSURE] })
    expect(await env.store.registry.getPoint(PRESSURE, 'all')).toMatchObject({ h: 0.85 })
    expect(await read(admin.request('/api/v1/registry/points/import', csv(edited)))).toMatchObject({ changed: 1 })
    expect(await env.store.registry.getPoint(PRESSURE, 'all')).toMatchObject({ h: 0.8, hh: 1 })
    const audit = await read(
      auditor.request(`/api/v1/audit?action=${encodeURIComponent('POST /api/v1/registry/points/import')}`),
    )
    expect(audit[0]).toMatchObject({ before: { [PRESSURE]: { h: 0.85 } }, after: { [PRESSURE]: { h: 0.8 } } })
  })
})
