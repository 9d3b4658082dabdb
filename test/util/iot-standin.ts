import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { IOT_LIMITS } from '../../shared/iot/limits.ts'
import { startShippedMosquitto, type ShippedMosquitto } from './shipped-mosquitto.ts'

/**
 * AWS IoT Core stood in for by Debian's mosquitto with the shipped TLS config (client
 * certificates from a park PKI made for this run, require_certificate, use_identity_as_username,
 * the shipped ACL) and IoT Core's message size (`message_size_limit 131072`). The broker logs
 * every PUBLISH it receives (`log_type all`, to a file) so a test checks IoT Core's other
 * limits itself: publishes and bytes per second per client, topic depth, payload size.
 */
export interface IotStandIn {
  broker: ShippedMosquitto
  host: string
  port: number
  /** The broker's log file. */
  logFile: string
  /** An edge's thing files ({site}/{edge} is its certificate's CN, so the shipped ACL applies). */
  thing(site: string, edge: string): { cert: string; key: string; ca: string }
  /** Every PUBLISH the broker received from this client id (its CN), in order. */
  publishes(clientId: string): ReceivedPublish[]
  dispose(): Promise<void>
}

export interface ReceivedPublish {
  /** The broker's log second (epoch seconds). */
  second: number
  topic: string
  bytes: number
  qos: number
}

export async function startIotStandIn(): Promise<IotStandIn> {
  const logDir = mkdtempSync(path.join(tmpdir(), 'parklink-iot-standin-'))
  const log = path.join(logDir, 'broker.log')
  // Run as root, mosquitto drops to its own user: let it write its log (test files only).
  chmodSync(logDir, 0o777)
  writeFileSync(log, '', { mode: 0o666 })
  chmodSync(log, 0o666)
  const broker = await startShippedMosquitto({
    messageSizeLimit: IOT_LIMITS.messageBytes,
    extraConf: ['log_type all', 'log_timestamp true', `log_dest file ${log}`],
  })
  const port = Number(new URL(broker.url).port)
  return {
    broker,
    host: '127.0.0.1',
    port,
    logFile: log,
    thing(site, edge) {
      const files = broker.enrol('edge', `${site}/${edge}`)
      return {
        cert: path.join(files.dir, 'client.crt'),
        key: path.join(files.dir, 'client.key'),
        ca: path.join(files.dir, 'ca.crt'),
      }
    },
    publishes: (clientId) => (existsSync(log) ? parsePublishes(readFileSync(log, 'utf8'), clientId) : []),
    async dispose() {
      await broker.dispose()
      rmSync(logDir, { recursive: true, force: true })
    },
  }
}

/** `1796596785: Received PUBLISH from park/e1 (d0, q1, r0, m3, 'parklink/v1/park/e1/data', ... (523 bytes))` */
const RECEIVED = /^(\d+): Received PUBLISH from (\S+) \(d\d, q(\d), r\d, m\d+, '([^']*)', \.\.\. \((\d+) bytes\)\)$/

export function parsePublishes(log: string, clientId: string): ReceivedPublish[] {
  const out: ReceivedPublish[] = []
  for (const line of log.split('\n')) {
    const m = RECEIVED.exec(line)
    if (m && m[2] === clientId) out.push({ second: Number(m[1]), qos: Number(m[3]), topic: m[4]!, bytes: Number(m[5]) })
  }
  return out
}

/** What IoT Core would have refused or throttled in these publishes (empty: within its limits). */
export function iotLimitViolations(publishes: readonly ReceivedPublish[]): string[] {
  const out: string[] = []
  const perSecond = new Map<number, number>()
  const bytesPerSecond = new Map<number, number>()
  for (const p of publishes) {
    perSecond.set(p.second, (perSecond.get(p.second) ?? 0) + 1)
    bytesPerSecond.set(p.second, (bytesPerSecond.get(p.second) ?? 0) + p.bytes)
    if (p.bytes > IOT_LIMITS.messageBytes) out.push(`${p.bytes} bytes to ${p.topic}`)
    if (p.topic.split('/').length - 1 > IOT_LIMITS.topicSlashes) out.push(`too deep: ${p.topic}`)
  }
  // The broker logs whole seconds, and publishes the edge paced apart can arrive bunched when the
  // machine is busy: rates are judged over two adjacent logged seconds against twice the limit.
  // (The pacing over any one second at the sender is shared/iot/publish-gate.test.ts's.)
  const overTwo = (per: Map<number, number>, limit: number, what: string) => {
    for (const [second, n] of per) {
      const both = n + (per.get(second + 1) ?? 0)
      if (both >= 2 * limit) out.push(`${both} ${what} in seconds ${second}–${second + 1}`)
    }
  }
  overTwo(perSecond, IOT_LIMITS.publishesPerSecond, 'publishes')
  overTwo(bytesPerSecond, IOT_LIMITS.bytesPerSecond, 'bytes')
  return out
}
