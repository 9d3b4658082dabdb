import { existsSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { CloudConfigSchema, loadCloudConfig } from '../cloud/config.ts'
import { openExchange, startExchangeSchedule } from '../cloud/exchange/service.ts'
import { createLogger } from '../cloud/log.ts'
import { openSqliteStore } from '../cloud/store/sqlite/store.ts'
import { createEvaluator } from '../shared/rules/evaluate.ts'
import { tempDir, tempStore } from '../test/cloud/helpers.ts'
import { steppedClock } from '../test/util/stepped-clock.ts'
import { cloudConfigFor } from './demo/configs.ts'
import { exchangeStatus, formatStatus, runExchange } from './exchange.ts'

let tmp: ReturnType<typeof tempDir>
beforeEach(() => void (tmp = tempDir()))
afterEach(() => tmp.remove())

/** The demo's cloud config as a file (JSON is YAML), with the exchange in its own file. */
function demoConfig(): string {
  const file = path.join(tmp.dir, 'cloud.yaml')
  const config = {
    ...cloudConfigFor({ dataDir: './data', httpPort: 0, mqttUrl: 'mqtt://127.0.0.1:1883' }),
    exchange: { file: 'front/exchange.db', parkCode: '320800-DEMO' },
  }
  writeFileSync(file, JSON.stringify(config))
  return file
}

describe('parklink cloud exchange run | status', () => {
  it('runs the exchange on the cloud database into its own file, then lists what was held back and why', async () => {
    const config = demoConfig()
    // The service applies the config's registry at its start; the CLI reads what the database holds.
    const loaded = loadCloudConfig(config)
    const store = openSqliteStore({
      file: path.join(loaded.dataDir, 'cloud.db'),
      evaluate: createEvaluator(),
      log: createLogger({ level: 'silent' }),
    })
    await store.applyRegistry(loaded.registry)
    await store.close()
    const run = await runExchange(config)
    expect(existsSync(path.join(tmp.dir, 'data', 'front', 'exchange.db'))).toBe(true)
    expect(run.datasets.find((d) => d.dataset === '152')).toMatchObject({ error: null })
    expect(run.datasets.find((d) => d.dataset === '152')!.inserted).toBeGreaterThan(10)
    const status = await exchangeStatus(config)
    expect(status.lastRun?.runId).toBe(run.runId)
    expect(status.lastRun?.datasets).toHaveLength(5)
    const lines = formatStatus(status).join('\n')
    expect(lines).toMatch(
      /held #152 shilian\.tk101\.pressure: 计量单位 \(unit\) is missing: set point shilian\.tk101\.pressure's unitCode/,
    )
    // A second run finds nothing changed.
    const again = await runExchange(config)
    expect(again.datasets.find((d) => d.dataset === '152')).toMatchObject({ inserted: 0, updated: 0, deleted: 0 })
  })
})

describe('exchange schedule', () => {
  it('runs at its cron times on fake time', async () => {
    // Fake time on the injected clock: the store keeps real timers (test/util/stepped-clock.ts).
    const clock = steppedClock(Date.UTC(2026, 2, 2, 1, 0, 30))
    const ctx = await tempStore()
    const config = {
      ...loadCloudConfig(demoConfig()),
      exchange: CloudConfigSchema.shape.exchange.parse({ enabled: true, schedule: '*/5 * * * *' }),
    }
    await ctx.store.applyRegistry(config.registry)
    const exchange = openExchange({ config: { ...config, dataDir: ctx.dir }, store: ctx.store, clock })
    const schedule = startExchangeSchedule({
      exchange,
      config,
      clock,
      log: createLogger({ level: 'silent' }),
    })
    try {
      expect((await exchange.status()).nextRun).toBe(Date.UTC(2026, 2, 2, 1, 5))
      expect((await exchange.status()).lastRun).toBeNull()
      await clock.advance(5 * 60_000)
      await vi.waitFor(async () => expect((await exchange.status()).lastRun).not.toBeNull())
      expect((await exchange.status()).nextRun).toBe(Date.UTC(2026, 2, 2, 1, 10))
    } finally {
      await schedule.stop()
      await exchange.close()
      await ctx.dispose()
    }
  })
})
