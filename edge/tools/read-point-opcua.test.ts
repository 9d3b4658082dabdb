import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { StatusCodes } from 'node-opcua'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { stringify } from 'yaml'
import { startOpcuaSim, type OpcuaSim } from '../../test/sim/opcua-sim.ts'
import { startParklink, stopAll } from '../../test/util/child.ts'
import { freePort } from '../../test/util/ports.ts'

/**
 * `read point` for OPC UA points and the OPC UA tools' failures (issue 19), through the real
 * CLI against the node-opcua simulator: value, type, unit, range, status and both times; one
 * error line with a code and a hint, exit 2 for invalid usage and 1 for what happened at run time.
 */
const edgeConfig = (dir: string, endpoint: string, unreachable: string) => ({
  site: 'huaian',
  edge: 'e1',
  dataDir: path.join(dir, 'data'),
  uplink: { url: 'mqtt://127.0.0.1:1' },
  devices: [
    {
      id: 'dcs',
      kind: 'opcua',
      endpoint,
      acceptUnknownServerCertificate: true,
      points: [
        { id: 'tk201.level', name: '液位', nodeId: 'ns=1;s=TK201.Level' },
        { id: 'tk201.ghost', nodeId: 'ns=1;s=TK201.NoSuchNode' },
      ],
    },
    { id: 'far', kind: 'opcua', endpoint: unreachable, points: [{ id: 'far.level', nodeId: 'ns=1;s=TK201.Level' }] },
  ],
})

describe('edge read point / browse (OPC UA)', () => {
  let sim: OpcuaSim
  let dir: string
  let file: string
  beforeAll(async () => {
    sim = await startOpcuaSim()
    sim.setValue('TK201.Level', 6.25)
    dir = mkdtempSync(path.join(tmpdir(), 'parklink-read-opcua-'))
    file = path.join(dir, 'edge.yaml')
    writeFileSync(file, stringify(edgeConfig(dir, sim.endpoint, `opc.tcp://127.0.0.1:${await freePort()}`)))
  })
  afterAll(async () => {
    await stopAll()
    await sim.stop()
    rmSync(dir, { recursive: true, force: true })
  })
  const run = async (args: string[]) => {
    const child = startParklink('read-opcua', args)
    return { code: await child.exited, output: child.output() }
  }

  it('reads value, type, unit, range, status and both times through the driver', async () => {
    const ok = await run(['edge', 'read', 'point', 'tk201.level', '--config', file, '--json'])
    expect(ok.code, ok.output).toBe(0)
    // stdout holds the JSON document alone (node-opcua's warnings go to stderr, interleaved here).
    const r = JSON.parse(ok.output.split('\n').find((l) => l.startsWith('{"point"'))!)
    expect(r).toMatchObject({
      point: 'tk201.level',
      device: 'dcs',
      nodeId: 'ns=1;s=TK201.Level',
      quality: 'good',
      value: 6.25,
      type: 'Double',
      unit: 'm',
      range: { low: 0, high: 12 },
      status: 'Good',
    })
    expect(Date.parse(r.sourceTime)).toBeGreaterThan(0)
    expect(Date.parse(r.serverTime)).toBeGreaterThan(0)

    sim.setStatus('TK201.Level', StatusCodes.BadSensorFailure)
    const bad = await run(['edge', 'read', 'point', 'tk201.level', '--config', file])
    sim.setStatus('TK201.Level', null)
    expect(bad.code, bad.output).toBe(1)
    expect(bad.output).toMatch(/no value: quality bad \(source_status:BadSensorFailure\)/)
  }, 60_000)

  it('a node the server lacks and an unreachable server: one error line with a code and a hint, exit 1', async () => {
    const missing = await run(['edge', 'read', 'point', 'tk201.ghost', '--config', file])
    expect(missing.code, missing.output).toBe(1)
    expect(missing.output).toMatch(
      /error \[PL_NOT_FOUND\]: .* has no node ns=1;s=TK201\.NoSuchNode.*\nhint: find the node id/,
    )
    const far = await run(['edge', 'read', 'point', 'far.level', '--config', file])
    expect(far.code, far.output).toBe(1)
    expect(far.output).toMatch(
      /error \[PL_DEVICE_UNREACHABLE\]: cannot connect to opc\.tcp:\/\/127\.0\.0\.1:\d+.*\nhint: check the address/,
    )
    expect(far.output).not.toMatch(/\n\s+at /) // no stack trace
    const browseMissing = await run([
      'edge',
      'browse',
      'opcua',
      sim.endpoint,
      '--node',
      'ns=1;s=Nowhere',
      '--accept-unknown-certificate',
      '--data-dir',
      path.join(dir, 'browse'),
    ])
    expect(browseMissing.code, browseMissing.output).toBe(1)
    expect(browseMissing.output).toMatch(/error \[PL_NOT_FOUND\]: the server has no node ns=1;s=Nowhere/)
  }, 60_000)

  it('a malformed node id is invalid usage: exit 2, before any connection', async () => {
    const browse = await run(['edge', 'browse', 'opcua', sim.endpoint, '--node', 'ns=1;i=abc'])
    expect(browse.code, browse.output).toBe(2)
    expect(browse.output).toMatch(
      /error: --node: "ns=1;i=abc" is not an OPC UA node id.*use e\.g\. ns=1;s=TK201\.Level/,
    )
    expect(browse.output).not.toMatch(/\n\s+at /)
    const bad = path.join(dir, 'bad.yaml')
    const config = edgeConfig(dir, sim.endpoint, sim.endpoint)
    config.devices[0]!.points[0]!.nodeId = 'TK201.Level'
    writeFileSync(bad, stringify(config))
    const read = await run(['edge', 'read', 'point', 'tk201.level', '--config', bad])
    expect(read.code, read.output).toBe(2)
    expect(read.output).toMatch(/node id such as ns=2;s=TK201\.Level/)
  }, 60_000)
})
