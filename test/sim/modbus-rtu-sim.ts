import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import ModbusSerial from 'modbus-serial'
import { waitFor } from '../util/wait.ts'
import { createRegisterBank, withApi, type ModbusSimOptions, type RegisterApi } from './modbus-sim.ts'

/**
 * RS485 slaves for tests: a pseudo-terminal pair made by socat (the "line"), with modbus-serial's
 * ServerSerial on one end answering several unit ids (absent ones stay silent, as on a real
 * line) and the driver on the other end (`path`).
 *
 * - stop() / restart(): everything goes (slaves and line, as when the adapter is pulled or the
 *   cabinet loses power) and comes back under the same path; the driver must reopen its port.
 * - powerOff() / powerOn(): only the slaves lose power; the line stays.
 */
export interface ModbusRtuSim extends RegisterApi {
  /** The serial device the driver opens. */
  readonly path: string
  readonly baudRate: number
  stop(): Promise<void>
  restart(): Promise<void>
  powerOff(): Promise<void>
  powerOn(): Promise<void>
}

type ServerSerialInstance = import('node:events').EventEmitter & { close(cb: () => void): void }
const ServerSerial = (
  ModbusSerial as unknown as { ServerSerial: new (vector: object, options: object) => ServerSerialInstance }
).ServerSerial

export async function startModbusRtuSim(
  options: Pick<ModbusSimOptions, 'unitIds' | 'responseMs' | 'size'> & { baudRate?: number } = {},
): Promise<ModbusRtuSim> {
  const dir = mkdtempSync(path.join(tmpdir(), 'parklink-rtu-'))
  const serverEnd = path.join(dir, 'slaves')
  const clientEnd = path.join(dir, 'master')
  const baudRate = options.baudRate ?? 19200
  const { vector, api } = createRegisterBank(options)
  let socat: ChildProcess | null = null
  let server: ServerSerialInstance | null = null

  const plug = async () => {
    mkdirSync(dir, { recursive: true })
    const child = spawn('socat', [`pty,raw,echo=0,link=${serverEnd}`, `pty,raw,echo=0,link=${clientEnd}`], {
      stdio: 'ignore',
    })
    socat = child
    await waitFor(() => existsSync(serverEnd) && existsSync(clientEnd), {
      timeoutMs: 5_000,
      message: 'socat made the pty pair (is socat installed?)',
    })
  }
  const unplugLine = async () => {
    const child = socat
    socat = null
    if (!child || child.exitCode !== null) return
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve())
      child.kill('SIGTERM')
    })
  }
  const powerOn = async () => {
    // unitID 255: answer every id; the bank stays silent for ids it does not serve.
    const s = new ServerSerial(vector, { path: serverEnd, baudRate, unitID: 255, interval: 10 })
    await new Promise<void>((resolve, reject) => {
      s.once('initialized', () => resolve())
      s.once('error', reject)
    })
    s.on('error', () => {})
    server = s
  }
  const powerOff = async () => {
    const s = server
    server = null
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()))
  }

  await plug()
  await powerOn()
  return withApi(api, {
    path: clientEnd,
    baudRate,
    stop: async () => {
      await powerOff()
      await unplugLine()
      rmSync(dir, { recursive: true, force: true })
    },
    restart: async () => {
      if (!socat) await plug()
      if (!server) await powerOn()
    },
    powerOff,
    powerOn: async () => {
      if (!server) await powerOn()
    },
  })
}
