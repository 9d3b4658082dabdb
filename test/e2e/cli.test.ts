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
    writeFileSync(
      file,
      [
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
      ].join('\n'),
    )
    const { code, output } = await run(['edge', '--config', file])
    expect(code).toBe(2)
    expect(output).toContain(`${file}:9  devices.0.port`)
    expect(output).toMatch(
      new RegExp(
        `${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:11  devices\\.0\\.points\\.0\\.scael: unknown key "scael" \\(did you mean "scale"\\?\\)`,
      ),
    )
    expect(output).toMatch(/hint: fix the listed entries/)
    expect(output).not.toMatch(/parklink edge running/)
  }, 30_000)

  it('exits 2 with a hint when the config file cannot be read', async () => {
    const { code, output } = await run(['cloud', '--config', path.join(dir, 'missing.yaml')])
    expect(code).toBe(2)
    expect(output).toMatch(/PL_CONFIG_UNREADABLE/)
    expect(output).toMatch(/hint: check the path/)
  }, 30_000)

  it('edge baseline: lists an empty history, refuses an unknown segment (exit 2), records who and why', async () => {
    const file = path.join(dir, 'gallery.yaml')
    writeFileSync(
      file,
      [
        'site: park',
        'edge: gallery-01',
        'dataDir: ./gallery-data',
        'uplink: { url: mqtt://127.0.0.1:1 }',
        'devices:',
        '  - id: pg-485',
        '    kind: modbus-rtu',
        '    port: /dev/ttyS1',
        '    units:',
        '      - { unitId: 1, points: [{ id: pg.b1, address: hr0, type: float32 }] }',
        '      - { unitId: 2, points: [{ id: pg.m1, address: hr0, type: float32 }] }',
        'settlement:',
        '  segments: [{ id: PG-01, base: pg.b1, points: [pg.m1] }]',
        '',
      ].join('\n'),
    )
    expect(await run(['edge', 'baseline', '--config', file, '--list'])).toMatchObject({
      code: 0,
      output: expect.stringContaining('no baselines recorded'),
    })
    const unknown = await run([
      'edge',
      'baseline',
      '--config',
      file,
      '--segment',
      'PG-99',
      '--by',
      'x',
      '--reason',
      'y',
    ])
    expect(unknown.code).toBe(2)
    expect(unknown.output).toMatch(/unknown segment "PG-99"[\s\S]*hint: use --segment with one of: PG-01/)
    const anonymous = await run(['edge', 'baseline', '--config', file, '--segment', 'PG-01'])
    expect(anonymous.code).toBe(2)
    expect(anonymous.output).toMatch(/who takes it and why/)
    // No agent is running: the request is recorded and stays pending.
    const queued = await run([
      'edge',
      'baseline',
      '--config',
      file,
      '--segment',
      'PG-01',
      '--by',
      'tech-zhang',
      '--reason',
      'commissioning',
      '--wait',
      '0',
    ])
    expect(queued).toMatchObject({ code: 0, output: expect.stringContaining('baseline requested (#1)') })
    const list = await run(['edge', 'baseline', '--config', file, '--list', '--json'])
    expect(JSON.parse(list.output.trim().split('\n').at(-1)!)).toMatchObject([
      { id: 1, segment: 'PG-01', by: 'tech-zhang', reason: 'commissioning', capturedAt: null },
    ])
  }, 60_000)

  it('validates the shipped example configs', async () => {
    const { code, output } = await run(['edge', 'validate', 'firmware-configs/sites/example-edge.yaml', '--json'])
    expect(code).toBe(0)
    expect(JSON.parse(output.trim().split('\n').at(-1)!)).toMatchObject({ ok: true, edge: 'shilian-01' })
    // Its password variables are not set here: refused as the agent would, unless told to skip them.
    const unset = await run(['edge', 'validate', 'firmware-configs/sites/example-park-edge.yaml', '--json'])
    expect(unset.code).toBe(2)
    expect(JSON.parse(unset.output.trim().split('\n').at(-1)!)).toMatchObject({
      ok: false,
      problems: [{ line: 33 }, { line: 46, path: 'devices.2.identity.passwordEnv' }, { line: 62 }],
    })
    const park = await run(['edge', 'validate', 'firmware-configs/sites/example-park-edge.yaml', '--json', '--no-env'])
    expect(park.code).toBe(0)
    expect(JSON.parse(park.output.trim().split('\n').at(-1)!)).toMatchObject({
      ok: true,
      edge: 'park-01',
      devices: 4,
      points: 16,
    })
  }, 30_000)

  it('exits 2 on an unknown command or option', async () => {
    expect((await run(['frobnicate'])).code).toBe(2)
    expect((await run(['demo', '--port', 'eighty'])).code).toBe(2)
    // Two CLI processes, each compiling its TypeScript with tsx: about 1 s each on a quiet
    // machine, but with both cores saturated one took over 15 s. A bound, not a wait.
  }, 90_000)
})
