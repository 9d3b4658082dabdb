import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fuqiangOpcuaPoints, startOpcuaSim, type OpcuaSim } from '../../test/sim/opcua-sim.ts'
import { startParklink, stopAll } from '../../test/util/child.ts'
import { parseEdgeConfig } from '../config.ts'
import { OpcuaDeviceConfig } from '../drivers/opcua/config.ts'
import { browseOpcua } from '../drivers/opcua/browse.ts'
import { createLogger } from '../log.ts'
import { addOpcuaPoints, pickOpcuaPoints } from './add-opcua-points.ts'

/** `browse opcua --add`: a unit's process values into the config, never its alarms' parts. */
describe('parklink edge browse opcua --add', () => {
  let sim: OpcuaSim
  let dir: string
  beforeAll(async () => {
    sim = await startOpcuaSim()
    dir = mkdtempSync(path.join(tmpdir(), 'parklink-add-opcua-'))
  })
  afterAll(async () => {
    await stopAll()
    await sim.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  const base = [
    'site: huaian',
    'edge: fuqiang-01',
    'dataDir: ./data',
    'uplink: { url: "mqtt://127.0.0.1:1883" }',
    '# the DCS comes below',
    'devices: []',
    '',
  ].join('\n')

  it('picks exactly the process values (no EURange, no alarm limits or states) and adds them once', async () => {
    const device = OpcuaDeviceConfig.parse({
      id: 'browse',
      kind: 'opcua',
      endpoint: sim.endpoint,
      acceptUnknownServerCertificate: true,
      points: [{ id: 'x.y', nodeId: 'i=85' }],
    })
    // Deep enough to reach the alarm objects' children, which must not become points.
    const tree = await browseOpcua(device, {
      dataDir: dir,
      log: createLogger('add-opcua-test', 'silent'),
      nodeId: 'ns=1;s=FuqiangDCS',
      depth: 5,
    })
    const picked = pickOpcuaPoints(tree.root, 'fuqiang')
    expect(picked.map((p) => p.id).sort()).toEqual(
      fuqiangOpcuaPoints.map((p) => `fuqiang.${p.key.toLowerCase()}`).sort(),
    )
    expect(picked.find((p) => p.id === 'fuqiang.tk201.level')).toEqual({
      id: 'fuqiang.tk201.level',
      nodeId: 'ns=1;s=TK201.Level',
      name: '液氯储罐TK-201液位',
      unit: 'm',
    })

    const file = path.join(dir, 'edge.yaml')
    writeFileSync(file, base)
    const first = addOpcuaPoints(file, 'fuqiang-dcs', picked, {
      newDevice: {
        endpoint: sim.endpoint,
        securityPolicy: 'None',
        securityMode: 'None',
        identity: { type: 'anonymous' },
      },
    })
    expect(first).toMatchObject({ createdDevice: true, skipped: [] })
    expect(first.added).toHaveLength(picked.length)
    const text = readFileSync(file, 'utf8')
    expect(text).toContain('# the DCS comes below')
    expect(readFileSync(`${file}.bak`, 'utf8')).toBe(base)
    const config = parseEdgeConfig(text, file)
    expect(config.devices[0]).toMatchObject({ id: 'fuqiang-dcs', kind: 'opcua', endpoint: sim.endpoint })

    const again = addOpcuaPoints(file, 'fuqiang-dcs', picked, { newDevice: {} })
    expect(again).toMatchObject({ createdDevice: false, added: [] })
    expect(again.skipped).toHaveLength(picked.length)
    expect(readFileSync(file, 'utf8')).toBe(text)
  }, 60_000)

  it('writes block-style YAML a technician can edit, keeping every comment', () => {
    const file = path.join(dir, 'block.yaml')
    const original = [
      '# Fuqiang edge: edited by hand',
      'site: huaian',
      'edge: fuqiang-01',
      'dataDir: ./data',
      'uplink: { url: "mqtt://127.0.0.1:1883" }',
      'devices:',
      '  # the DCS, commissioned 2026-11',
      '  - id: fuqiang-dcs',
      '    kind: opcua',
      `    endpoint: ${sim.endpoint} # via the plant firewall`,
      '    points: [] # filled by browse --add',
      '',
    ].join('\n')
    writeFileSync(file, original)
    addOpcuaPoints(
      file,
      'fuqiang-dcs',
      [
        { id: 'fuqiang.tk201.level', nodeId: 'ns=1;s=TK201.Level', name: '液氯储罐TK-201液位', unit: 'm' },
        { id: 'fuqiang.tk201.pressure', nodeId: 'ns=1;s=TK201.Pressure' },
      ],
      { newDevice: {} },
    )
    const text = readFileSync(file, 'utf8')
    for (const comment of [
      '# Fuqiang edge: edited by hand',
      '# the DCS, commissioned 2026-11',
      '# via the plant firewall',
    ])
      expect(text).toContain(comment)
    expect(text).toContain(
      [
        '      - id: fuqiang.tk201.level',
        '        nodeId: ns=1;s=TK201.Level',
        '        name: 液氯储罐TK-201液位',
        '        unit: m',
        '      - id: fuqiang.tk201.pressure',
        '        nodeId: ns=1;s=TK201.Pressure',
      ].join('\n'),
    )
    expect(text).not.toMatch(/\{ ?id: fuqiang/)
    expect(parseEdgeConfig(text, file).devices[0]).toMatchObject({
      points: [{ id: 'fuqiang.tk201.level' }, { id: 'fuqiang.tk201.pressure' }],
    })

    // A new device in an empty `devices: []` is written in block style too.
    writeFileSync(file, base)
    addOpcuaPoints(file, 'dcs2', [{ id: 'dcs2.level', nodeId: 'ns=1;s=TK201.Level' }], {
      newDevice: { endpoint: sim.endpoint, identity: { type: 'anonymous' } },
    })
    const created = readFileSync(file, 'utf8')
    expect(created).toContain('# the DCS comes below\ndevices:\n  - id: dcs2\n    kind: opcua\n')
    expect(created).toContain('    points:\n      - id: dcs2.level\n        nodeId: ns=1;s=TK201.Level\n')
  })

  it('refuses a non-opcua device and nothing to add, writing nothing', () => {
    const file = path.join(dir, 'modbus.yaml')
    const text = base.replace(
      'devices: []',
      'devices:\n  - { id: plc, kind: modbus-tcp, host: 127.0.0.1, points: [{ id: a.b, address: hr0 }] }',
    )
    writeFileSync(file, text)
    expect(() => addOpcuaPoints(file, 'plc', [{ id: 'x.y', nodeId: 'ns=1;s=X' }], { newDevice: {} })).toThrow(
      /plc is modbus-tcp/,
    )
    expect(() => addOpcuaPoints(file, 'dcs', [], { newDevice: {} })).toThrow(/no process values/)
    expect(readFileSync(file, 'utf8')).toBe(text)
  })

  it('through the CLI: --dry-run lists, --add writes, --add without --config is usage (exit 2)', async () => {
    const file = path.join(dir, 'cli.yaml')
    writeFileSync(file, base)
    const args = [
      'edge',
      'browse',
      'opcua',
      sim.endpoint,
      '--node',
      'ns=1;s=TK201',
      '--depth',
      '3',
      '--accept-unknown-certificate',
      '--data-dir',
      dir,
    ]
    const dry = startParklink('browse-dry', [
      ...args,
      '--add',
      '--config',
      file,
      '--device',
      'dcs',
      '--prefix',
      'fuqiang.tk201',
      '--dry-run',
    ])
    expect(await dry.exited, dry.output()).toBe(0)
    expect(dry.output()).toContain('would add  fuqiang.tk201.level  ns=1;s=TK201.Level')
    expect(readFileSync(file, 'utf8')).toBe(base)
    const add = startParklink('browse-add', [
      ...args,
      '--add',
      '--config',
      file,
      '--device',
      'dcs',
      '--prefix',
      'fuqiang.tk201',
    ])
    expect(await add.exited, add.output()).toBe(0)
    expect(parseEdgeConfig(readFileSync(file, 'utf8'), file).devices[0]).toMatchObject({
      id: 'dcs',
      points: expect.arrayContaining([
        expect.objectContaining({ id: 'fuqiang.tk201.pressure', nodeId: 'ns=1;s=TK201.Pressure' }),
      ]),
    })
    const usage = startParklink('browse-usage', [...args, '--add'])
    expect(await usage.exited).toBe(2)
  }, 90_000)
})
