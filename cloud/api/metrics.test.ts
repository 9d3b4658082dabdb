import { startEmbeddedBroker } from '../../deploy/demo/broker.ts'
import mqtt, { type MqttClient } from 'mqtt'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { encode } from '../../shared/wire/codec.ts'
import { LEVEL, batch, birth, good, registry, storeKey, tempDir, waitFor } from '../../test/cloud/helpers.ts'
import { parsePrometheusText, sampleValue } from '../../test/util/prom-text.ts'
import { startTestCloud } from '../../test/util/test-cloud.ts'
import { CloudConfigSchema } from '../config.ts'
import { createLogger } from '../log.ts'
import type { RunningCloud } from '../service.ts'

/**
 * GET /metrics on a running cloud (issue 16): real broker (aedes), real HTTP, this run's store
 * engine. The scrape token comes from the variable metrics.tokenEnv names.
 */
const TOKEN = 'scrape-token-for-the-test-0123456789'
const topicOf = (channel: string) => `parklink/v1/huaian/shilian-01/${channel}`

describe('cloud GET /metrics', () => {
  let broker: Awaited<ReturnType<typeof startEmbeddedBroker>>
  let dir: ReturnType<typeof tempDir>
  let cloud: RunningCloud
  let edge: MqttClient | null = null

  beforeEach(async () => {
    broker = await startEmbeddedBroker(0)
    dir = tempDir()
    const config = CloudConfigSchema.parse({
      dataDir: dir.dir,
      http: { host: '127.0.0.1', port: 0 },
      mqtt: { url: broker.url, clientId: `cloud-metrics-${process.pid}`, reconnectPeriodMs: 200 },
      log: { level: 'silent' },
      registry,
      metrics: { tokenEnv: 'PL_TEST_SCRAPE' },
    })
    cloud = await startTestCloud(config, { log: createLogger({ level: 'silent' }), env: { PL_TEST_SCRAPE: TOKEN } })
  })
  afterEach(async () => {
    await edge?.endAsync()
    edge = null
    await cloud.stop()
    await broker.close()
    dir.remove()
  })

  const scrape = async (credential = TOKEN) => {
    const res = await fetch(`${cloud.url}/metrics`, { headers: { authorization: `Bearer ${credential}` } })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/)
    return parsePrometheusText(await res.text())
  }

  it('refuses without credentials (401), a role without metrics:read (403), a wrong token (401)', async () => {
    const none = await fetch(`${cloud.url}/metrics`)
    expect(none.status).toBe(401)
    expect(((await none.json()) as any).error.code).toBe('PL_UNAUTHENTICATED')
    const wrong = await fetch(`${cloud.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}x` } })
    expect(wrong.status).toBe(401)
    const enterprise = await storeKey(cloud.store, 'enterprise_user', 'shilian')
    const refused = await fetch(`${cloud.url}/metrics`, { headers: { authorization: `Bearer ${enterprise}` } })
    expect(refused.status).toBe(403)
    expect(((await refused.json()) as any).error.code).toBe('PL_FORBIDDEN')
    // The park admin's API key reads it too.
    const families = await scrape(await storeKey(cloud.store, 'park_admin'))
    expect(families.get('parklink_cloud_ingest_batches_total')?.type).toBe('counter')
  })

  it('moves with ingest: batches, samples, duplicates, alarms by priority, edges owned, store times', async () => {
    await waitFor('connected', async () => sampleValue(await scrape(), 'parklink_cloud_mqtt_connected') === 1)
    const before = await scrape()
    const replica = { replica: `cloud-metrics-${process.pid}` }
    expect(sampleValue(before, 'parklink_cloud_ingest_batches_total', replica)).toBe(0)
    expect(sampleValue(before, 'parklink_cloud_edges_owned')).toBe(0)
    expect(before.get('parklink_cloud_alarm_streams_open')?.type).toBe('gauge')

    edge = await mqtt.connectAsync(broker.url, { clientId: 'edge-metrics', protocolVersion: 4 })
    const t = Date.now()
    const send = (channel: string, message: Parameters<typeof encode>[0]) =>
      edge!.publishAsync(topicOf(channel), encode(message), { qos: 1 })
    await send('status', birth('s-1', { ts: t }))
    await send('data', batch(1, [good(LEVEL, t + 1, 7.25), good(LEVEL, t + 2, 7.5)]))
    // Seq 3 before 2: stored, waiting for the hole (ack lag 1).
    await send('data', batch(3, [good(LEVEL, t + 4, 7.5)]))
    const lagging = await waitFor('two batches', async () => {
      const f = await scrape()
      return sampleValue(f, 'parklink_cloud_ingest_batches_total') === 2 ? f : undefined
    })
    expect(sampleValue(lagging, 'parklink_cloud_ingest_samples_total')).toBe(3)
    expect(sampleValue(lagging, 'parklink_cloud_ack_lag_seqs', { edge: 'shilian-01' })).toBe(2)
    expect(sampleValue(lagging, 'parklink_cloud_edges_owned')).toBe(1)
    expect(
      sampleValue(lagging, 'parklink_cloud_edge_last_batch_timestamp_seconds', { edge: 'shilian-01' }),
    ).toBeGreaterThan(0)

    await send('data', batch(2, [good(LEVEL, t + 3, 10.9)])) // fills the hole; HH (S) and H (A)
    await send('data', batch(2, [good(LEVEL, t + 3, 10.9)])) // a resend: duplicate
    const after = await waitFor('alarms counted', async () => {
      const f = await scrape()
      return sampleValue(f, 'parklink_cloud_alarms_raised_total', { priority: 'A' }) === 1 &&
        sampleValue(f, 'parklink_cloud_ingest_duplicates_total') === 1 &&
        // The duplicate's ack is counted once it is published, after the duplicate is.
        (sampleValue(f, 'parklink_cloud_ingest_acks_total') ?? 0) >= 4
        ? f
        : undefined
    })
    expect(sampleValue(after, 'parklink_cloud_alarms_raised_total', { priority: 'S' })).toBe(1)
    expect(sampleValue(after, 'parklink_cloud_ack_lag_seqs', { edge: 'shilian-01' })).toBe(0)
    expect(sampleValue(after, 'parklink_cloud_ingest_batches_total')).toBe(3)
    expect(sampleValue(after, 'parklink_cloud_ingest_acks_total')).toBeGreaterThanOrEqual(4)
    expect(
      sampleValue(after, 'parklink_cloud_store_call_seconds_count', { op: 'ingestBatch', outcome: 'ok' }),
    ).toBeGreaterThan(0)
    expect(sampleValue(after, 'process_cpu_seconds_total')).toBeGreaterThan(0)
  })
})
