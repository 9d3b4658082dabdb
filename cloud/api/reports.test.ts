import { execFileSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import type { Hono } from 'hono'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  PRESSURE,
  captureLogger,
  manualClock,
  signedIn,
  tempStore,
  testAuth,
  testKey,
} from '../../test/cloud/helpers.ts'
import type { Role } from '../auth/roles.ts'
import { createMetrics } from '../metrics.ts'
import { ReportsConfig } from '../reports/config.ts'
import { createReportRunner } from '../reports/generate.ts'
import { zonedTime } from '../reports/period.ts'
import { createApp } from './app.ts'

const TZ = 'Asia/Shanghai'
const at = (day: number, hour: number, minute = 0) => zonedTime(TZ, 2026, 3, day, hour, minute)
const clock = manualClock()
let env: Awaited<ReturnType<typeof tempStore>>
let as: (role: Role, enterprise?: string) => Promise<Pick<Hono, 'request'>>

beforeEach(async () => {
  env = await tempStore()
  clock.set(at(3, 9))
  const auth = testAuth(env.store, clock)
  const config = ReportsConfig.parse({
    definitions: [{ name: 'daily-offline', kind: 'offline_points', period: 'day' }],
  })
  const reports = createReportRunner({ store: env.store, config, dir: path.join(env.dir, 'reports'), clock })
  const app = createApp({
    store: env.store,
    clock,
    metrics: createMetrics(at(3, 9)),
    log: captureLogger().log,
    ...auth,
    reports,
  })
  as = async (role, enterprise) => signedIn(app, await testKey(auth.accounts, role, enterprise))
  // A comm-loss episode of V-201 on 2 March, through the store as the comm-loss watcher records one.
  await env.store.raiseSystemAlarm({
    point: PRESSURE,
    kind: 'STALE',
    priority: 'D',
    ts: at(2, 3),
    value: 1.5,
    limit: 1,
  })
  await env.store.recoverSystemAlarm(PRESSURE, 'STALE', at(2, 5, 30), 0.5)
})
afterEach(() => env.dispose())

const run = (app: Pick<Hono, 'request'>, body: unknown) =>
  app.request('/api/v1/reports/run', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })

describe('/api/v1/reports', () => {
  it('makes a report for a past period, lists it, and serves its PDF and XLSX', async () => {
    const park = await as('park_operator')
    const made = await run(park, {
      name: 'daily-offline',
      from: '2026-03-02T00:00:00+08:00',
      to: '2026-03-03T00:00:00+08:00',
    })
    expect(made.status).toBe(201)
    const report = (await made.json()) as {
      id: number
      requestedBy: string
      files: Array<{ format: string; url: string }>
    }
    expect(report).toMatchObject({
      from: at(2, 0),
      to: at(3, 0),
      trigger: 'manual',
      empty: false,
      requestedBy: expect.stringMatching(/^key:/),
    })
    const list = (await (await park.request('/api/v1/reports?name=daily-offline')).json()) as Array<{ id: number }>
    expect(list.map((r) => r.id)).toEqual([report.id])
    const pdf = await park.request(report.files.find((f) => f.format === 'pdf')!.url)
    expect(pdf.status).toBe(200)
    expect(pdf.headers.get('content-type')).toBe('application/pdf')
    const file = path.join(mkdtempSync(path.join(env.dir, 'dl-')), 'r.pdf')
    writeFileSync(file, Buffer.from(await pdf.arrayBuffer()))
    expect(execFileSync('pdftotext', [file, '-'], { encoding: 'utf8' })).toContain('数据点位掉线日报')
    const xlsx = await park.request(`/api/v1/reports/${report.id}/xlsx`)
    expect(xlsx.headers.get('content-disposition')).toMatch(
      /^attachment; filename="daily-offline_20260302T0000_20260303T0000_\d+\.xlsx"$/,
    )
    expect((await (await park.request('/api/v1/reports/definitions')).json()) as unknown).toMatchObject({
      definitions: [{ name: 'daily-offline' }],
    })
  })

  it('answers unknown names, reports and formats with their codes', async () => {
    const park = await as('park_admin')
    const unknown = await run(park, { name: 'nope', from: at(2, 0), to: at(3, 0) })
    expect(unknown.status).toBe(404)
    expect(((await unknown.json()) as { error: { code: string; hint: string } }).error).toMatchObject({
      code: 'PL_NOT_FOUND',
      hint: expect.stringContaining('daily-offline'),
    })
    expect((await run(park, { name: 'daily-offline', from: at(3, 0), to: at(2, 0) })).status).toBe(400)
    expect((await park.request('/api/v1/reports/999/pdf')).status).toBe(404)
    expect((await park.request('/api/v1/reports/1/docx')).status).toBe(400)
  })

  it('the center and the auditor read, only the center makes reports; enterprises see neither', async () => {
    const auditor = await as('auditor')
    expect((await auditor.request('/api/v1/reports')).status).toBe(200)
    expect((await run(auditor, { name: 'daily-offline', from: at(2, 0), to: at(3, 0) })).status).toBe(403)
    expect((await (await as('enterprise_user', 'shilian')).request('/api/v1/reports')).status).toBe(403)
  })
})
