import ModbusSerial from 'modbus-serial'
import type { ModbusRTU as ModbusClient } from 'modbus-serial/ModbusRTU.js'
import { QualityReasons } from '../../../shared/quality.ts'
import type { ModbusTable } from './address.ts'

/**
 * The only file that touches a socket: one Modbus TCP connection through modbus-serial.
 * Failures are classified into quality reasons, and whether the connection is still usable.
 */
export interface TransportOptions {
  host: string
  port: number
  unitId: number
  timeoutMs: number
}

export class TransportError extends Error {
  /** A QualityReasons code, optionally with ":" detail. */
  readonly reason: string
  /** True when the connection must be dropped (timeout, closed, refused); false for an exception reply. */
  readonly fatal: boolean
  constructor(message: string, reason: string, fatal: boolean, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause })
    this.name = 'TransportError'
    this.reason = reason
    this.fatal = fatal
  }
}

// Modbus application protocol §7: exception codes.
const EXCEPTIONS: Record<number, string> = {
  1: 'illegal function', 2: 'illegal data address', 3: 'illegal data value', 4: 'server device failure',
  5: 'acknowledge', 6: 'server device busy', 10: 'gateway path unavailable', 11: 'gateway target device failed to respond',
}

export function classify(err: unknown): TransportError {
  if (err instanceof TransportError) return err
  const e = err as { message?: string; errno?: string; code?: string; modbusCode?: number }
  const message = e?.message ?? String(err)
  if (typeof e?.modbusCode === 'number') {
    const name = EXCEPTIONS[e.modbusCode] ?? 'unknown exception'
    // §7 code 11: a gateway whose serial device did not answer is a timeout of that device.
    if (e.modbusCode === 11) return new TransportError(message, `${QualityReasons.TIMEOUT}:gateway target did not respond`, false, err)
    return new TransportError(message, `${QualityReasons.DEVICE_EXCEPTION}:${e.modbusCode} ${name}`, false, err)
  }
  if (e?.errno === 'ETIMEDOUT' || /timed out/i.test(message)) return new TransportError(message, QualityReasons.TIMEOUT, true, err)
  const code = e?.code ?? e?.errno ?? ''
  return new TransportError(message, `${QualityReasons.UNREACHABLE}${code ? `:${code}` : ''}`, true, err)
}

// modbus-serial is CommonJS: its module.exports (the ESM default) is the client class.
const ModbusRTU = ModbusSerial as unknown as typeof ModbusClient

export class ModbusTcpTransport {
  #client: ModbusClient | null = null
  constructor(private readonly options: TransportOptions) {}

  get connected(): boolean {
    return this.#client?.isOpen === true
  }

  async connect(): Promise<void> {
    await this.close()
    const client = new ModbusRTU()
    this.#client = client
    let timer: ReturnType<typeof setTimeout> | undefined
    try {
      // Not modbus-serial's `timeout` option: that is a socket IDLE timeout, which would fire
      // between polls. The connect attempt gets its own bound instead.
      const timedOut = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(Object.assign(new Error('connect timed out'), { errno: 'ETIMEDOUT' })), this.options.timeoutMs)
      })
      await Promise.race([client.connectTCP(this.options.host, { port: this.options.port }), timedOut])
      client.setID(this.options.unitId)
      client.setTimeout(this.options.timeoutMs)
    } catch (err) {
      await this.close()
      throw classify(err)
    } finally {
      clearTimeout(timer)
    }
  }

  /** Reads `count` registers (numbers) or bits (booleans) from `start` of `table`. */
  async read(table: ModbusTable, start: number, count: number): Promise<number[] | boolean[]> {
    const client = this.#client
    if (!client || !client.isOpen) throw new TransportError('not connected', QualityReasons.UNREACHABLE, true)
    try {
      switch (table) {
        case 'holding': return (await client.readHoldingRegisters(start, count)).data
        case 'input': return (await client.readInputRegisters(start, count)).data
        case 'coil': return (await client.readCoils(start, count)).data.slice(0, count)
        case 'discrete': return (await client.readDiscreteInputs(start, count)).data.slice(0, count)
      }
    } catch (err) {
      throw classify(err)
    }
  }

  async writeRegisters(address: number, words: number[]): Promise<void> {
    const client = this.#client
    if (!client || !client.isOpen) throw new TransportError('not connected', QualityReasons.UNREACHABLE, true)
    try {
      await client.writeRegisters(address, words)
    } catch (err) {
      throw classify(err)
    }
  }

  async writeCoil(address: number, value: boolean): Promise<void> {
    const client = this.#client
    if (!client || !client.isOpen) throw new TransportError('not connected', QualityReasons.UNREACHABLE, true)
    try {
      await client.writeCoil(address, value)
    } catch (err) {
      throw classify(err)
    }
  }

  async close(): Promise<void> {
    const client = this.#client
    this.#client = null
    if (!client) return
    // destroy, not close: close() waits for the peer's FIN, which a hung device never sends,
    // and destroy() also cancels the pending transactions, so no timer outlives stop().
    await new Promise<void>((resolve) => {
      try {
        client.destroy(() => resolve())
      } catch {
        resolve()
      }
    })
  }
}
