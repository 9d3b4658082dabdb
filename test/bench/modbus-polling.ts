import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { stringify } from 'yaml'
import { edgeConfigFor } from '../../deploy/demo/configs.ts'
import { parseAddress } from '../../edge/drivers/modbus/address.ts'
import type { ModbusTcpDeviceConfig } from '../../edge/drivers/modbus/config.ts'
import { pointWidth } from '../../edge/drivers/modbus/decode.ts'
import { planReads } from '../../edge/drivers/modbus/plan.ts'
import { openSqliteOutbox } from '../../edge/outbox/sqlite-outbox.ts'
import { startPlant } from '../sim/plant.ts'
import { startChild, startParklink, type Child } from '../util/child.ts'
import { tryGetJson } from '../util/http.ts'
import { freePort } from '../util/ports.ts'
import { waitFor } from '../util/wait.ts'
import { startWireCounter, type WireCounter, type WireCounts } from './modbus-wire.ts'
import { benchFlow, benchSettings, type Block, type FlowDevice } from './nodered-flow.ts'
import type { NodeRedInstall } from './nodered-install.ts'
import { cpuSeconds, rssMb } from './proc.ts'
import { result, type BenchResult } from './table.ts'

/**
 * (8) Modbus polling side by side: the real `parklink edge` process and Node-RED with
 * node-red-contrib-modbus, one after the other (never together: they would share 2 cores) against
 * the same simulated plant (test/sim/plant.ts, both of its devices, `copies` times over, one
 * connection per device), the same register blocks (the edge's planner's) at the same interval,
 * for the same measured window after a warm-up. Requests and exception answers are counted on
 * the wire by a relay in front of the simulator (modbus-wire.ts); samples and errors by each
 * side (Node-RED: decoded values and caught errors; parklink: good and bad samples in its
 * outbox with timestamps in the window); CPU time and RSS from /proc.
 *
 * parklink's figures include what Node-RED's flow does not do: its durable outbox commits once
 * per device per poll (synchronous=FULL, on the event loop), local alarms and the status file.
 * The uplink points at a port where no broker listens, so nothing leaves the outbox. A third
 * run (`ramOutbox`) keeps the edge's outbox on tmpfs to show the polling path without the fsyncs.
 */
export interface ModbusBenchOptions {
  dir: string
  seconds: number
  copies: number
  pollMs: number
  /** The simulated PLC's time per request (answered one at a time per unit; 0: as soon as the event loop allows). */
  responseMs: number
  /**
   * Also run the edge with its outbox on tmpfs (/dev/shm): the polling path without the disk's
   * fsync per commit, which is what limits it on a busy disk (Node-RED persists nothing).
   */
  ramOutbox: boolean
  /** null: the Node-RED side is skipped (no install, or --skip-nodered). */
  nodeRed: NodeRedInstall | null
  log?: (line: string) => void
}

interface SideFigures {
  requests: number
  answered: number
  exceptions: number
  samples: number
  badSamples: number
  cpu: number
  rss: number
  seconds: number
}

type DeviceInput = ModbusTcpDeviceConfig extends infer T
  ? Omit<T, 'points'> & {
      points: Array<{ id: string; address: string | number; type?: string; order?: string; scale?: number }>
    }
  : never

/** The plant's two Modbus devices, `copies` times (ids and point ids suffixed), all behind `port`. */
export function benchEdgeConfig(o: { dir: string; port: number; pollMs: number; copies: number; mqttUrl: string }) {
  const base = edgeConfigFor({
    site: 'bench',
    edge: 'bench-01',
    dataDir: path.join(o.dir, 'edge-data'),
    mqttUrl: o.mqttUrl,
    plantPort: o.port,
    pollMs: o.pollMs,
  })
  const devices = (base.devices as DeviceInput[]).flatMap((d) =>
    Array.from({ length: o.copies }, (_, c) =>
      c === 0
        ? d
        : {
            ...d,
            id: `${d.id}-${c + 1}`,
            points: d.points.map((p) => ({ ...p, id: `${p.id}.c${c + 1}` })),
          },
    ),
  )
  return { ...base, devices }
}

/** The requests the edge's planner makes for a device, with its points' places in each answer. */
export function blocksOf(d: DeviceInput): Block[] {
  const points = d.points.map((p, index) => {
    const at = parseAddress(p.address)
    const type = (p.type ?? 'uint16') as 'bool' | 'int16' | 'float32'
    return {
      index,
      table: at.table,
      address: at.address,
      width: pointWidth(type),
      type,
      order: (p.order ?? d.order ?? 'ABCD') as Block['points'][number]['order'],
      scale: p.scale ?? 1,
    }
  })
  return planReads(points, { maxGap: d.maxGap ?? 8, maxRegistersPerRead: d.maxRegistersPerRead ?? 125 }).map((r) => ({
    table: r.table,
    start: r.start,
    count: r.count,
    points: r.points.map((s) => ({
      offset: s.offset,
      type: points[s.index]!.type,
      order: points[s.index]!.order,
      scale: points[s.index]!.scale,
    })),
  }))
}

/** Warm-up until every block has been answered at least a few times, then the measured window. */
async function window<T>(
  child: Child,
  wire: WireCounter,
  expectedPerSecond: number,
  seconds: number,
  own: () => Promise<T>,
) {
  const pid = child.proc.pid!
  const w0 = wire.counts().responses
  await waitFor(() => wire.counts().responses - w0 >= Math.max(4, expectedPerSecond), {
    timeoutMs: 60_000,
    message: () => `${child.name} did not poll the simulator\n${child.output().slice(-3000)}`,
  })
  await new Promise((r) => setTimeout(r, 2_000))
  const start = { at: Date.now(), wire: wire.counts(), cpu: cpuSeconds(pid), own: await own() }
  await new Promise((r) => setTimeout(r, seconds * 1000))
  const end = { at: Date.now(), wire: wire.counts(), cpu: cpuSeconds(pid), own: await own() }
  const d = (k: keyof WireCounts) => end.wire[k] - start.wire[k]
  return {
    start: start.at,
    end: end.at,
    seconds: (end.at - start.at) / 1000,
    requests: d('requests'),
    answered: d('responses'),
    exceptions: d('exceptions'),
    cpu: end.cpu - start.cpu,
    rss: rssMb(pid),
    own: { start: start.own, end: end.own },
  }
}

const runName = (o: ModbusBenchOptions) => `${o.pollMs}x${o.copies}@${o.responseMs}`

async function runParklink(
  o: ModbusBenchOptions,
  wire: WireCounter,
  expected: number,
  root = o.dir,
): Promise<SideFigures> {
  const dir = path.join(root, `parklink-${runName(o)}`)
  mkdirSync(dir, { recursive: true })
  // No broker listens there: the edge keeps everything in its outbox, which is what is counted.
  const config = benchEdgeConfig({
    dir,
    port: wire.port,
    pollMs: o.pollMs,
    copies: o.copies,
    mqttUrl: `mqtt://127.0.0.1:${await freePort()}`,
  })
  const file = path.join(dir, 'edge.yaml')
  writeFileSync(file, stringify(config))
  const edge = startParklink('parklink-edge', ['edge', '--config', file], { PARKLINK_LOG_LEVEL: 'error' })
  let w: Awaited<ReturnType<typeof window>>
  try {
    // Its own counts are read from the outbox afterwards, by the samples' timestamps.
    w = await window(edge, wire, expected, o.seconds, async () => null)
  } finally {
    await edge.kill('SIGTERM')
  }
  const outbox = openSqliteOutbox({ file: path.join(config.dataDir, 'outbox.db') })
  let samples = 0
  let bad = 0
  try {
    for (let seq = 0; ; ) {
      const batches = outbox.peek(seq, 500)
      if (batches.length === 0) break
      for (const b of batches) {
        for (const s of b.samples) {
          if (s.ts < w.start || s.ts >= w.end) continue
          if (s.quality === 'good') samples++
          else bad++
        }
        seq = b.seq
      }
    }
  } finally {
    outbox.close()
  }
  return {
    requests: w.requests,
    answered: w.answered,
    exceptions: w.exceptions,
    samples,
    badSamples: bad,
    cpu: w.cpu,
    rss: w.rss,
    seconds: w.seconds,
  }
}

async function runNodeRed(
  o: ModbusBenchOptions,
  install: NodeRedInstall,
  wire: WireCounter,
  devices: FlowDevice[],
  expected: number,
): Promise<SideFigures> {
  const userDir = path.join(o.dir, `nodered-${runName(o)}`)
  mkdirSync(userDir, { recursive: true })
  const port = await freePort()
  const flowFile = path.join(userDir, 'flows.json')
  writeFileSync(flowFile, JSON.stringify(benchFlow(devices), null, 1))
  const settings = path.join(userDir, 'settings.js')
  writeFileSync(settings, benchSettings({ port, userDir, flowFile }))
  const red = startChild('node-red', process.execPath, [install.redJs, '--settings', settings, '--userDir', userDir])
  type Counters = { reads: number; samples: number; errors: number; badSamples: number }
  const counters = () => tryGetJson<Counters>(`http://127.0.0.1:${port}/bench`)
  try {
    await waitFor(counters, {
      timeoutMs: 60_000,
      message: () => `node-red did not answer GET /bench on port ${port}\n${red.output().slice(-3000)}`,
    })
    const w = await window(red, wire, expected, o.seconds, async () => {
      const c = await counters()
      if (!c) throw new Error(`node-red stopped answering GET /bench during the run\n${red.output().slice(-3000)}`)
      return c
    })
    const { start, end } = w.own
    return {
      requests: w.requests,
      answered: w.answered,
      exceptions: w.exceptions,
      samples: end.samples - start.samples,
      badSamples: end.badSamples - start.badSamples,
      cpu: w.cpu,
      rss: w.rss,
      seconds: w.seconds,
    }
  } finally {
    await red.kill('SIGTERM')
  }
}

/** `--modbus-runs`: "POLLxCOPIES@PLC" entries, comma-separated (e.g. "50x10@2,1000x10@2"). */
export function parseModbusRuns(spec: string): Array<Pick<ModbusBenchOptions, 'pollMs' | 'copies' | 'responseMs'>> {
  return spec.split(',').map((entry) => {
    const m = /^\s*(\d+)x(\d+)@(\d+)\s*$/.exec(entry)
    if (!m || Number(m[1]) < 50 || Number(m[2]) < 1) {
      throw new Error(
        `--modbus-runs: "${entry}" is not POLLxCOPIES@PLC (poll interval ≥ 50 ms, the edge's shortest; copies ≥ 1 of the plant's two devices; the PLC's ms per request), e.g. 50x10@2`,
      )
    }
    return { pollMs: Number(m[1]), copies: Number(m[2]), responseMs: Number(m[3]) }
  })
}

export async function benchModbusPolling(o: ModbusBenchOptions): Promise<BenchResult[]> {
  const log = o.log ?? console.log
  const plant = await startPlant({ responseMs: o.responseMs })
  const wire = await startWireCounter({ port: plant.port })
  try {
    const config = benchEdgeConfig({
      dir: o.dir,
      port: wire.port,
      pollMs: o.pollMs,
      copies: o.copies,
      mqttUrl: 'mqtt://127.0.0.1:1',
    })
    const devices: FlowDevice[] = config.devices.map((d) => ({
      id: d.id,
      host: '127.0.0.1',
      port: wire.port,
      unitId: d.unitId ?? 1,
      timeoutMs: d.timeoutMs ?? 1000,
      pollMs: o.pollMs,
      blocks: blocksOf(d),
    }))
    const blocks = devices.reduce((n, d) => n + d.blocks.length, 0)
    const expected = (blocks * 1000) / o.pollMs
    const what = `modbus poll ${o.pollMs} ms, ${devices.length} devices, ${blocks} reads/poll, PLC ${o.responseMs} ms`
    log(`${what}: parklink edge for ${o.seconds} s…`)
    const pl = await runParklink(o, wire, expected)
    let ram: SideFigures | null = null
    if (o.ramOutbox && existsSync('/dev/shm')) {
      log(`${what}: parklink edge, outbox on tmpfs, for ${o.seconds} s…`)
      const root = mkdtempSync('/dev/shm/parklink-bench-')
      try {
        ram = await runParklink(o, wire, expected, root)
      } finally {
        rmSync(root, { recursive: true, force: true })
      }
    }
    let nr: SideFigures | null = null
    if (o.nodeRed) {
      log(`${what}: node-red for ${o.seconds} s…`)
      try {
        nr = await runNodeRed(o, o.nodeRed, wire, devices, expected)
      } catch (err) {
        // Node-RED is the yardstick, not the product: its failure costs the baselines, not the other figures.
        log(`${what}: NODE-RED RUN FAILED, rows without baseline: ${err instanceof Error ? err.message : String(err)}`)
      }
    }
    const rows: Array<[string, string, (f: SideFigures) => number, { op: '>=' | '<='; value: number } | undefined]> = [
      ['requests answered', 'req/s', (f) => f.answered / f.seconds, { op: '>=', value: Math.floor(expected * 0.9) }],
      ['good samples', 'samples/s', (f) => f.samples / f.seconds, undefined],
      ['exception answers (on the wire)', 'count', (f) => f.exceptions, { op: '<=', value: 0 }],
      ['bad samples (failed reads)', 'count', (f) => f.badSamples, { op: '<=', value: 0 }],
      ['CPU', '% of a core', (f) => (100 * f.cpu) / f.seconds, undefined],
      ['CPU per 1000 requests', 'ms', (f) => (f.answered > 0 ? (1_000_000 * f.cpu) / f.answered : NaN), undefined],
      ['RSS at the end', 'MB', (f) => f.rss, undefined],
    ]
    const vs = nr ? ' vs node-red' : ''
    const row = (side: string, f: SideFigures, [name, unit, pick, target]: (typeof rows)[number]) =>
      result(`${what}, ${side}${vs}: ${name}`, pick(f), unit, {
        ...(nr ? { baseline: pick(nr) } : {}),
        ...(target ? { target } : {}),
      })
    return [
      ...rows.map((r) => row('parklink', pl, r)),
      // The RAM-outbox run: only what differs (throughput and CPU); errors and memory are the same path.
      ...(ram
        ? rows
            .filter(([name]) => name.startsWith('requests') || name.startsWith('CPU'))
            .map((r) => row('parklink, outbox on tmpfs', ram, r))
        : []),
    ]
  } finally {
    await wire.close()
    await plant.stop()
  }
}
