import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { CloudConfigSchema } from '../../cloud/config.ts'
import { createMetrics } from '../../cloud/metrics.ts'
import { createCloudRegistry } from '../../cloud/ops/cloud-registry.ts'
import type { RunningCloud } from '../../cloud/service.ts'
import { startEdgeAgent, type EdgeAgent } from '../../edge/agent.ts'
import { EdgeConfigSchema, resolveEdgeConfig } from '../../edge/config.ts'
import { createLogger } from '../../edge/log.ts'
import { systemClock } from '../../shared/clock.ts'
import { freePort } from '../../test/util/ports.ts'
import { parsePrometheusText, type PromFamily } from '../../test/util/prom-text.ts'
import { startTestCloud } from '../../test/util/test-cloud.ts'

/**
 * The Grafana dashboard and the Prometheus alert rules in deploy/monitoring/ (issue 16) may only
 * name metrics the processes export: the names are read from a running cloud's and a running
 * edge's /metrics (plus the PostgreSQL-only pool gauge), so a renamed or removed metric fails
 * here instead of silently blanking a panel or an alert. promtool is not installed; this is
 * the check.
 */
const DIR = path.dirname(fileURLToPath(import.meta.url))
const TOKEN = 'monitoring-test-token-0123456789'
const REFERENCED = /\b((?:parklink|process|nodejs)_[a-zA-Z0-9_]+)\b/g

/** Every series name a family yields (a histogram's _bucket, _sum, _count). */
function seriesNames(families: Map<string, PromFamily>): string[] {
  return [...families.values()].flatMap((f) =>
    f.type === 'histogram'
      ? ['_bucket', '_sum', '_count'].map((s) => f.name + s)
      : f.type === 'summary'
        ? [f.name, `${f.name}_sum`, `${f.name}_count`]
        : [f.name],
  )
}

const scrape = async (url: string) => {
  const res = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })
  expect(res.status).toBe(200)
  return parsePrometheusText(await res.text())
}

describe('deploy/monitoring: dashboard and alert rules name only exported metrics', () => {
  let dir: string
  let cloud: RunningCloud
  let edge: EdgeAgent
  const exported = new Set<string>()

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'parklink-monitoring-'))
    // Nothing listens on the broker port: both processes serve /metrics with the broker down.
    const broker = `mqtt://127.0.0.1:${await freePort()}`
    const env = { SCRAPE: TOKEN, CONSOLE_PW: 'console-password-1' }
    cloud = await startTestCloud(
      CloudConfigSchema.parse({
        dataDir: path.join(dir, 'cloud'),
        http: { host: '127.0.0.1', port: 0 },
        mqtt: { url: broker, clientId: 'monitoring-test' },
        log: { level: 'silent' },
        metrics: { tokenEnv: 'SCRAPE' },
      }),
      { log: createLogger('cloud', 'silent'), env },
    )
    edge = await startEdgeAgent(
      resolveEdgeConfig(
        EdgeConfigSchema.parse({
          site: 'huaian',
          edge: 'e1',
          dataDir: './edge',
          uplink: { url: broker, reconnectMinMs: 50, reconnectMaxMs: 200 },
          devices: [],
          console: { listen: '127.0.0.1:0', passwordEnv: 'CONSOLE_PW', metricsTokenEnv: 'SCRAPE' },
        }),
        dir,
      ),
      { log: createLogger('edge', 'silent'), env },
    )
    for (const name of seriesNames(await scrape(cloud.url))) exported.add(name)
    for (const name of seriesNames(await scrape(edge.consoleUrl!))) exported.add(name)
    // Exported on PostgreSQL only.
    const pg = createCloudRegistry({
      metrics: createMetrics(0),
      clock: systemClock,
      edgeOfflineAfterMs: 60_000,
      replica: 'x',
      poolSize: 10,
      processMetrics: false,
    })
    for (const name of seriesNames(parsePrometheusText(await pg.metrics()))) exported.add(name)
  })
  afterAll(async () => {
    await edge?.stop()
    await cloud?.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  const referenced = (exprs: string[]) => [
    ...new Set(exprs.flatMap((e) => [...e.matchAll(REFERENCED)].map((m) => m[1]!))),
  ]

  it('the alert rules: each has a name, an expression and a severity; every metric exists', () => {
    const doc = parse(readFileSync(path.join(DIR, 'prometheus-alerts.yml'), 'utf8')) as {
      groups: Array<{ name: string; rules: Array<{ alert: string; expr: string; labels: { severity: string } }> }>
    }
    const rules = doc.groups.flatMap((g) => g.rules)
    expect(rules.map((r) => r.alert)).toEqual(
      expect.arrayContaining([
        'ParklinkEdgeSilent',
        'ParklinkReplicaWithoutEdges',
        'ParklinkAckLagGrowing',
        'ParklinkOutboxBacklogOld',
        'ParklinkPushFailures',
      ]),
    )
    for (const r of rules) expect(['critical', 'warning', 'info']).toContain(r.labels.severity)
    const names = referenced(rules.map((r) => r.expr))
    expect(names.length).toBeGreaterThan(8)
    expect(names.filter((n) => !exported.has(n))).toEqual([])
  })

  it('the Grafana dashboard: every panel queries, every metric exists', () => {
    const doc = JSON.parse(readFileSync(path.join(DIR, 'grafana-dashboard.json'), 'utf8')) as {
      uid: string
      panels: Array<{ title: string; targets: Array<{ expr: string }> }>
    }
    expect(doc.uid).toBe('parklink-ops')
    for (const p of doc.panels) expect(p.targets.length, p.title).toBeGreaterThan(0)
    const names = referenced(doc.panels.flatMap((p) => p.targets.map((t) => t.expr)))
    expect(names.length).toBeGreaterThan(15)
    expect(names.filter((n) => !exported.has(n))).toEqual([])
  })

  it('a name the processes do not export is caught (the check can fail)', () => {
    expect(referenced(['rate(parklink_cloud_ingest_batchez_total[5m])']).filter((n) => !exported.has(n))).toEqual([
      'parklink_cloud_ingest_batchez_total',
    ])
  })
})
