import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startParklink, stopAll } from '../util/child.ts'

/** The `parklink` command as an operator meets it: exit codes and messages on bad input. */
describe('parklink CLI', () => {
  let dir: string
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'parklink-cli-'))
  })
  afterAll(async () => {
    await stopAll()
    rmSync(dir, { recursive: true, force: true })
  })

  const run = async (args: string[]) => {
    const child = startParklink('cli', args)
    const code = await child.exited
    return { code, output: child.output() }
  }

  it('refuses an invalid edge config with exit code 2, naming file, line and path, and starts nothing', async () => {
    const file = path.join(dir, 'bad-edge.yaml')
    writeFileSync(file, [
      'site: park',
      'edge: e1',
      'dataDir: ./data',
      'uplink: { url: mqtt://127.0.0.1:1 }',
      'devices:',
      '  - id: plc',
      '    kind: modbus-tcp',
      '    host: 127.0.0.1',
      '    port: 70000',
      '    points:',
      '      - { id: p.1, address: hr0, scael: 0.1 }',
      '',
    ].join('\n'))
    const { code, output } = await run(['edge', '--config', file])
    expect(code).toBe(2)
    expect(output).toContain(`${file}:9  devices.0.port`)
    expect(output).toMatch(new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:11  devices\\.0\\.points\\.0: .*scael`))
    expect(output).toMatch(/hint: fix the listed entries/)
    expect(output).not.toMatch(/parklink edge running/)
  }, 30_000)

  it('exits 2 with a hint when the config file cannot be read', async () => {
    const { code, output } = await run(['cloud', '--config', path.join(dir, 'missing.yaml')])
    expect(code).toBe(2)
    expect(output).toMatch(/PL_CONFIG_UNREADABLE/)
    expect(output).toMatch(/hint: check the path/)
  }, 30_000)

  it('validates the shipped example configs', async () => {
    const { code, output } = await run(['edge', 'validate', 'firmware-configs/sites/example-edge.yaml', '--json'])
    expect(code).toBe(0)
    expect(JSON.parse(output.trim().split('\n').at(-1)!)).toMatchObject({ ok: true, edge: 'shilian-01' })
  }, 30_000)

  it('exits 2 on an unknown command or option', async () => {
    expect((await run(['frobnicate'])).code).toBe(2)
    expect((await run(['demo', '--port', 'eighty'])).code).toBe(2)
  }, 30_000)
})
