import type { OpenAPIHono } from '@hono/zod-openapi'
import { totalRejected } from '../../metrics.ts'
import { VERSION } from '../../version.ts'
import type { ApiDeps } from '../deps.ts'
import type { StreamSlots } from '../../alarms/feed.ts'
import { apiRouter, createRoute, json } from '../openapi/route.ts'

const health = createRoute({
  method: 'get',
  path: '/',
  tags: ['health'],
  security: [],
  summary:
    'Service state; with credentials also version, uptime, broker error, ingest counters, open alarm streams and HTTP refusals',
  responses: { 200: json('ok, or degraded while MQTT is down'), 503: json('the database does not answer') },
})

/**
 * GET /api/v1/health. 200 while the database answers (status "degraded" when the broker is
 * unreachable: the API still serves what is stored); 503 when the database does not answer.
 * Public, for probes: without credentials only status, db and mqtt; version, uptime, the broker's
 * last error (host names), the counters, the open alarm streams and the HTTP refusals by reason
 * (throttled logins, streams refused or dropped) only for an authenticated identity.
 */
export function healthRoutes(deps: ApiDeps, streams: StreamSlots): OpenAPIHono {
  const app = apiRouter()
  app.openapi(health, async (c) => {
    let db: 'ok' | 'error' = 'ok'
    try {
      await deps.store.ping()
    } catch (err) {
      deps.log.error({ err }, 'health: database does not answer')
      db = 'error'
    }
    const { metrics } = deps
    const mqtt = metrics.mqtt.connected ? 'connected' : 'disconnected'
    const i = metrics.ingest
    const body = {
      // An expired CRL refuses every signed message (fail closed): ingest is as good as down.
      status: db === 'error' || mqtt === 'disconnected' || metrics.crypto.crl?.blocking ? 'degraded' : 'ok',
      version: deps.version ?? VERSION,
      uptimeS: Math.max(0, Math.floor((deps.clock.now() - metrics.startedAt) / 1000)),
      db,
      mqtt,
      mqttError: metrics.mqtt.lastError,
      ingest: {
        batches: i.batches,
        samples: i.samples,
        duplicates: i.duplicates,
        rejected: totalRejected(metrics),
        rejectedByReason: { ...i.rejected },
        refusedByReason: { ...i.refused },
        // Issue 20: messages whose signature, signer, counter or encryption did not verify (never handled).
        crypto: {
          suite: metrics.crypto.suite,
          refusedByReason: { ...metrics.crypto.refused },
          // The CRL the signing certificates are checked against (null: crypto.crl not set).
          crl: metrics.crypto.crl === null ? null : { ...metrics.crypto.crl },
        },
        failed: i.failed,
        statuses: i.statuses,
        acks: i.acks,
        alarmsRaised: i.alarmsRaised,
        alarmsRecovered: i.alarmsRecovered,
      },
      // The HTTP boundary (issue 13): live alarm streams open, and refusals by reason (throttled logins, streams refused or dropped).
      http: {
        streams: { open: streams.open, identities: streams.identities },
        refusedByReason: { ...metrics.http.refused },
      },
      time: { ...metrics.time, unevaluated: { ...metrics.time.unevaluated } },
      // Issue 15: the retention job's last run (what it removed per kind) and its failures.
      retention: { ...metrics.retention },
      // Issue 15: historian chunks/blocks that did not decode (skipped), and the compaction's rounds.
      historian: { ...metrics.historian },
      // Issue 16: this replica runs the timers, notifications and schedules (holds the leader lease).
      cluster: { ...metrics.cluster },
    }
    const status = db === 'ok' ? 200 : 503
    // With the database down nobody can be authenticated: the probe's answer (503) is what matters then.
    const identity = await deps.auth.authenticate(c.req.header('authorization')).catch(() => null)
    if (!identity) return c.json({ status: body.status, db, mqtt }, status)
    return c.json(body, status)
  })
  return app
}
