import { createServer, type Server } from 'node:http'
import * as fs from 'node:fs'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { loadCloudConfig, type CloudConfig } from '../cloud/config.ts'
import { createLogger } from '../cloud/log.ts'
import { openSqliteStore } from '../cloud/store/sqlite/store.ts'
import type { Store } from '../cloud/store/store.ts'
import { createEvaluator } from '../shared/rules/evaluate.ts'
import { registry, tempDir } from '../test/cloud/helpers.ts'
import { backupCloud, checkBackup, refuseWhileServing, restoreCloud } from './backup.ts'
import { cloudConfigFor } from './demo/configs.ts'

let tmp: ReturnType<typeof tempDir>
let server: Server | undefined
beforeEach(() => void (tmp = tempDir()))
afterEach(async () => {
  if (server) await new Promise((r) => server?.close(r))
  server = undefined
  tmp.remove()
})

function config(httpPort = 0): CloudConfig {
  const file = path.join(tmp.dir, 'cloud.yaml')
  fs.writeFileSync(
    file,
    JSON.stringify(cloudConfigFor({ dataDir: './data', httpPort, mqttUrl: 'mqtt://127.0.0.1:1883' })),
  )
  return loadCloudConfig(file)
}

const open = (c: CloudConfig): Store =>
  openSqliteStore({
    file: path.join(c.dataDir, 'cloud.db'),
    evaluate: createEvaluator(),
    log: createLogger({ level: 'silent' }),
  })

const actions = async (store: Store) =>
  (await store.auth.queryAudit({ limit: 100 })).map((e) => e.action).sort((a, b) => a.localeCompare(b))

describe('parklink cloud backup | restore (SQLite)', () => {
  it('backs up while the store is open, and restores that state with its files, keeping the running signing counters', async () => {
    const c = config()
    const store = open(c)
    await store.applyRegistry(registry)
    await store.auth.audit({ at: 1, actor: 'admin', action: 'before-backup', outcome: 'ok' })
    fs.mkdirSync(path.join(c.dataDir, 'snapshots'), { recursive: true })
    fs.writeFileSync(path.join(c.dataDir, 'snapshots', 'a.jpg'), 'jpeg bytes')
    fs.writeFileSync(path.join(c.dataDir, 'crypto-state.json'), '{"sent":10}')

    const dir = path.join(tmp.dir, 'backup-1')
    const manifest = await backupCloud(c, dir, new Date(0))
    // Written after the backup: the restore must not bring it back.
    await store.auth.audit({ at: 2, actor: 'admin', action: 'after-backup', outcome: 'ok' })
    fs.writeFileSync(path.join(c.dataDir, 'crypto-state.json'), '{"sent":99}')
    await store.close()

    expect(manifest.databases.map((d) => d.name)).toEqual(['cloud.db'])
    expect(manifest.audit.rows).toBe(1)
    expect(fs.existsSync(path.join(dir, 'crypto-state.json'))).toBe(false)
    expect(fs.readFileSync(path.join(dir, 'snapshots', 'a.jpg'), 'utf8')).toBe('jpeg bytes')
    expect(fs.statSync(dir).mode & 0o777).toBe(0o700)
    expect(fs.statSync(path.join(dir, 'cloud.db')).mode & 0o777).toBe(0o600)

    const aside = await restoreCloud(c, dir, new Date(1000))
    const restored = open(c)
    try {
      expect(await actions(restored)).toEqual(['before-backup'])
      expect((await restored.listPoints({ scope: 'all' })).length).toBe(registry.points.length)
    } finally {
      await restored.close()
    }
    expect(fs.readFileSync(path.join(c.dataDir, 'snapshots', 'a.jpg'), 'utf8')).toBe('jpeg bytes')
    expect(fs.readFileSync(path.join(c.dataDir, 'crypto-state.json'), 'utf8')).toBe('{"sent":99}')
    expect(fs.existsSync(path.join(aside, 'cloud.db'))).toBe(true)
  })

  it('refuses a backup directory that is not empty, and a backup whose database changed since', async () => {
    const c = config()
    const store = open(c)
    await store.auth.audit({ at: 1, actor: 'admin', action: 'login', outcome: 'ok' })
    await store.close()
    const dir = path.join(tmp.dir, 'backup-2')
    await backupCloud(c, dir, new Date(0))
    await expect(backupCloud(c, dir, new Date(0))).rejects.toThrow(/is not empty/)
    await expect(checkBackup(dir)).resolves.toMatchObject({ version: 1 })

    const file = path.join(dir, 'cloud.db')
    const bytes = fs.readFileSync(file)
    bytes[bytes.length - 100] = (bytes[bytes.length - 100]! + 1) % 256
    fs.writeFileSync(file, bytes)
    await expect(checkBackup(dir)).rejects.toThrow(/missing or changed since the backup/)
    await expect(restoreCloud(c, dir, new Date(0))).rejects.toThrow(/changed since the backup/)
    // Nothing was moved: the refused restore left the data directory in place.
    expect(fs.existsSync(path.join(c.dataDir, 'cloud.db'))).toBe(true)
  })

  it('refuses to restore while a service answers on the configured HTTP port', async () => {
    server = createServer((_req, res) => res.end('{}'))
    await new Promise<void>((r) => server?.listen(0, '127.0.0.1', r))
    const port = (server.address() as { port: number }).port
    await expect(refuseWhileServing(config(port))).rejects.toThrow(/answers at .*stop|is using/)
    server.close()
    server = undefined
    await expect(refuseWhileServing(config(port))).resolves.toBeUndefined()
  })
})
