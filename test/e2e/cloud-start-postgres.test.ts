import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { stringify } from 'yaml'
import { cloudConfigFor } from '../../deploy/demo/configs.ts'
import { startParklink, stopAll } from '../util/child.ts'
import { freePort } from '../util/ports.ts'
import { startPostgres, type TestPostgres } from '../util/postgres.ts'
import { waitFor } from '../util/wait.ts'

/**
 * Issue 15: `store: { engine: postgres }` as an operator meets it, with real processes and a real
 * PostgreSQL (a throwaway cluster of Debian's package): `parklink cloud migrate` brings the schema
 * up and says so; the cloud starts on it; the database unreachable at start is a clear error and
 * exit code 1 (under systemd: Restart=always retries; exit 2 is kept for a bad config); a password
 * variable the config names but the environment lacks is a config error (exit 2).
 */
describe('parklink cloud on PostgreSQL', () => {
  let server: TestPostgres
  let dir: string

  beforeAll(async () => {
    server = await startPostgres({ database: 'parklink' })
    dir = mkdtempSync(path.join(tmpdir(), 'parklink-cloud-pg-'))
  }, 120_000)
  afterAll(async () => {
    await stopAll()
    await server?.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  const configWith = async (name: string, store: Record<string, unknown>) => {
    const file = path.join(dir, `${name}.yaml`)
    const config = cloudConfigFor({
      dataDir: `./${name}-data`,
      httpPort: await freePort(),
      mqttUrl: 'mqtt://127.0.0.1:1',
    })
    writeFileSync(file, stringify({ ...config, store: { engine: 'postgres', ...store } }))
    return file
  }

  it('migrate brings the schema up to date and says how far; a second run finds nothing to do', async () => {
    const file = await configWith('migrate', { url: server.url })
    for (let run = 0; run < 2; run++) {
      const child = startParklink('migrate', ['cloud', 'migrate', '--config', file])
      expect(await child.exited).toBe(0)
      expect(child.output()).toMatch(
        /^postgres postgres:\/\/postgres@127\.0\.0\.1:\d+\/parklink: schema up to date \(\d+ migrations applied\)/m,
      )
    }
  }, 60_000)

  it('starts and serves on PostgreSQL', async () => {
    const file = await configWith('serve', { url: server.url })
    const child = startParklink('cloud', ['cloud', '--config', file])
    // Running, not just listening: SIGTERM is handled once the start is complete (deploy/cli.ts untilSignal).
    await waitFor(() => /parklink cloud running/.test(child.output()), {
      timeoutMs: 30_000,
      message: () => `the cloud did not start:\n${child.output()}`,
    })
    expect(child.output()).toMatch(/"db":"postgres:\/\/postgres@127\.0\.0\.1:\d+\/parklink"/)
    expect(await child.kill('SIGTERM')).toBe(0)
  }, 60_000)

  it('the database unreachable at start: PL_STORE_FAILED with what to check, exit 1, nothing served', async () => {
    const file = await configWith('down', { url: `postgres://parklink@127.0.0.1:${await freePort()}/parklink` })
    const child = startParklink('cloud', ['cloud', '--config', file])
    expect(await child.exited).toBe(1)
    expect(child.output()).toMatch(
      /error \[PL_STORE_FAILED\]: cannot reach the cloud database at postgres:\/\/parklink@127\.0\.0\.1/,
    )
    expect(child.output()).toMatch(/hint: check store\.url/)
    expect(child.output()).not.toMatch(/cloud API listening/)
  }, 60_000)

  it('a password variable named but not set: a config error (exit 2), the variable named, no password printed', async () => {
    const file = await configWith('nopass', { url: server.url, passwordEnv: 'PARKLINK_TEST_PG_PASSWORD' })
    const child = startParklink('cloud', ['cloud', '--config', file], { PARKLINK_TEST_PG_PASSWORD: '' })
    expect(await child.exited).toBe(2)
    expect(child.output()).toMatch(/PL_CONFIG_INVALID.*store\.passwordEnv names PARKLINK_TEST_PG_PASSWORD/)
  }, 60_000)
})
