import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startParklink, stopAll } from '../util/child.ts'

/** `parklink edge init` without a terminal (stdin is not a TTY here): flags only, exit codes, no overwrite. */
describe('parklink edge init (non-interactive)', () => {
  let dir: string
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'parklink-init-'))
  })
  afterAll(async () => {
    await stopAll()
    rmSync(dir, { recursive: true, force: true })
  })
  const run = async (args: string[]) => {
    const child = startParklink('init', args)
    const code = await child.exited
    return { code, output: child.output() }
  }
  const lastJson = (output: string) => JSON.parse(output.trim().split('\n').at(-1)!) as Record<string, unknown>

  it('names the missing flags and writes nothing (exit 2)', async () => {
    const file = path.join(dir, 'missing.yaml')
    const r = await run(['edge', 'init', '--config', file, '--site', 'huaian-park'])
    expect(r.code).toBe(2)
    expect(r.output).toMatch(/needs --edge, --broker/)
    expect(existsSync(file)).toBe(false)
  }, 30_000)

  it('writes a config that validate accepts, then refuses to overwrite it without --force', async () => {
    const file = path.join(dir, 'etc', 'edge.yaml')
    const flags = [
      '--site',
      'huaian-park',
      '--edge',
      'shilian-01',
      '--broker',
      'mqtts://10.0.0.5:8883',
      '--username',
      'shilian-01',
      '--data-dir',
      './data',
      '--ca',
      'park-ca.crt',
      '--modbus-host',
      '192.168.10.21',
      '--modbus-unit',
      '3',
      '--point-id',
      'shilian.nh3.1',
      '--point-address',
      'ir6',
      '--point-type',
      'float32',
      '--point-order',
      'cdab',
    ]
    const first = await run(['edge', 'init', '--config', file, ...flags, '--json'])
    expect(first.code).toBe(0)
    expect(lastJson(first.output)).toMatchObject({
      ok: true,
      file,
      site: 'huaian-park',
      edge: 'shilian-01',
      devices: 1,
    })
    const text = readFileSync(file, 'utf8')
    expect(text).toMatch(/passwordEnv: PARKLINK_MQTT_PASSWORD/)
    // A path typed on the command line is where the technician stands, written absolute.
    expect(text).toContain(`ca: ${path.resolve('park-ca.crt')}`)

    // On this machine the password variable is not set and the CA file is not there: refused as the
    // agent would refuse it; the file itself is valid.
    const here = await run(['edge', 'validate', file, '--json'])
    expect(here.code).toBe(2)
    expect(lastJson(here.output)).toMatchObject({
      ok: false,
      problems: expect.arrayContaining([
        expect.objectContaining({ path: 'uplink.passwordEnv' }),
        expect.objectContaining({ path: 'uplink.tls' }),
      ]),
    })
    const validate = await run(['edge', 'validate', file, '--json', '--no-env'])
    expect(validate.code).toBe(0)
    expect(lastJson(validate.output)).toMatchObject({ ok: true, edge: 'shilian-01', devices: 1, points: 1 })

    const again = await run(['edge', 'init', '--config', file, ...flags.slice(0, 6), '--yes'])
    expect(again.code).toBe(2)
    expect(again.output).toMatch(/exists: nothing written \(use --force/)
    expect(readFileSync(file, 'utf8')).toBe(text)

    const forced = await run(['edge', 'init', '--config', file, ...flags.slice(0, 6), '--yes', '--force'])
    expect(forced.code).toBe(0)
    expect(readFileSync(`${file}.bak`, 'utf8')).toBe(text)
    expect(readFileSync(file, 'utf8')).not.toMatch(/modbus-tcp/)
  }, 60_000)

  it('refuses answers that make an invalid config, by their config path', async () => {
    const file = path.join(dir, 'bad.yaml')
    const r = await run([
      'edge',
      'init',
      '--config',
      file,
      '--site',
      'huaian park',
      '--edge',
      'e1',
      '--broker',
      'http://10.0.0.5',
      '--yes',
    ])
    expect(r.code).toBe(2)
    expect(r.output).toMatch(/site: use 1–64 letters/)
    expect(r.output).toMatch(/uplink\.url: use mqtt:\/\//)
    const noPoint = await run([
      'edge',
      'init',
      '--config',
      file,
      '--site',
      'p',
      '--edge',
      'e1',
      '--broker',
      'mqtt://10.0.0.5:1883',
      '--modbus-host',
      '10.1.1.1',
      '--yes',
    ])
    expect(noPoint.code).toBe(2)
    expect(noPoint.output).toMatch(/--point-id and --point-address/)
    expect(existsSync(file)).toBe(false)
  }, 30_000)
})
