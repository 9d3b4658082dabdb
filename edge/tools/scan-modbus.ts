import { type Clock, systemClock } from '../../shared/clock.ts'
import { QualityReasons } from '../../shared/quality.ts'
import { ErrorCodes, ParklinkError } from '../../shared/errors.ts'
import {
  ModbusTransport,
  classify,
  rtuOpener,
  rtuOverTcpOpener,
  tcpOpener,
  type Opener,
  type SerialOptions,
} from '../drivers/modbus/transport.ts'
import { scanProgress, type ScanProgress } from './scan-progress.ts'

/**
 * `parklink edge scan modbus`: which unit ids answer on a TCP device/gateway or an RS485 line.
 * Each id gets one read of holding register 0; an exception reply counts as an answer (the
 * slave is there, the register is not), a timeout as silence. Read-only: never writes.
 */
export interface ScanTarget {
  tcp?: { host: string; port: number }
  serial?: SerialOptions
  /** A transparent serial server: RTU frames over TCP. */
  rtuOverTcp?: { host: string; port: number }
}

/** How to open `target`, and its name for messages. */
export function openTarget(target: ScanTarget): { opener: Opener; where: string; overTcp: boolean } {
  if (target.tcp)
    return {
      opener: tcpOpener(target.tcp.host, target.tcp.port),
      where: `${target.tcp.host}:${target.tcp.port}`,
      overTcp: true,
    }
  if (target.rtuOverTcp) {
    const { host, port } = target.rtuOverTcp
    return { opener: rtuOverTcpOpener(host, port), where: `${host}:${port} (RTU over TCP)`, overTcp: true }
  }
  return { opener: rtuOpener(target.serial!), where: target.serial!.path, overTcp: false }
}

export interface ScanResult {
  target: string
  timeoutMs: number
  found: Array<{ unitId: number; answer: string }>
  silent: number
}

/**
 * `onProgress` (optional) is told after every unit id: how many were asked of how many, and the
 * count found so far and the time left (scan-progress.ts).
 */
export async function scanModbus(
  target: ScanTarget,
  units: readonly number[],
  timeoutMs: number,
  onProgress: (done: number, total: number, progress: ScanProgress) => void = () => {},
  clock: Clock = systemClock,
): Promise<ScanResult> {
  const startedAt = clock.now()
  const { opener, where, overTcp } = openTarget(target)
  const transport = new ModbusTransport(opener, Math.max(timeoutMs, 2_000))
  try {
    await transport.connect()
  } catch (err) {
    throw new ParklinkError(ErrorCodes.DEVICE_UNREACHABLE, `cannot open ${where}: ${classify(err).message}`, {
      hint: overTcp
        ? 'check the IP address and port, and that this box is on the device subnet (ping it)'
        : 'check the serial device path and that no other program has it open',
      cause: err,
    })
  }
  const found: ScanResult['found'] = []
  try {
    for (const [i, unit] of units.entries()) {
      try {
        const words = await transport.read(unit, timeoutMs, 'holding', 0, 1)
        found.push({ unitId: unit, answer: `holding register 0 = ${words[0]}` })
      } catch (err) {
        const e = classify(err)
        if (e.reason.startsWith(QualityReasons.DEVICE_EXCEPTION))
          found.push({
            unitId: unit,
            answer: `answers with exception ${e.reason.slice(QualityReasons.DEVICE_EXCEPTION.length + 1)}`,
          })
        else if (e.fatal && !e.reason.startsWith(QualityReasons.TIMEOUT))
          throw new ParklinkError(
            ErrorCodes.DEVICE_UNREACHABLE,
            `${where} closed the connection at unit ${unit}: ${e.message}`,
            { hint: 'a gateway may allow one client only: stop the edge agent while scanning', cause: err },
          )
        // A TCP connection that timed out stays usable for modbus-serial only after a reconnect.
        else if (overTcp && !transport.connected) await transport.connect()
      }
      onProgress(i + 1, units.length, scanProgress(i + 1, units.length, found.length, clock.now() - startedAt))
    }
  } finally {
    await transport.close()
  }
  return { target: where, timeoutMs, found, silent: units.length - found.length }
}
