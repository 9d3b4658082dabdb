import ModbusSerial from 'modbus-serial'
import type { ModbusRTU as ModbusClient } from 'modbus-serial/ModbusRTU.js'
import { QualityReasons } from '../../../shared/quality.ts'
import type { ModbusTable } from './address.ts'

/**
 * The only file that touches a socket or a serial port, through modbus-serial. Failures are
 * classified into quality reasons, and whether the connection is still usable.
 */

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
  1: 'illegal function',
  2: 'illegal data address',
  3: 'illegal data value',
  4: 'server device failure',
  5: 'acknowledge',
  6: 'server device busy',
  10: 'gateway path unavailable',
  11: 'gateway target device failed to respond',
}

export function classify(err: unknown): TransportError {
  if (err instanceof TransportError) return err
  const e = err as { message?: string; errno?: string; code?: string; modbusCode?: number }
  const message = e?.message ?? String(err)
  if (typeof e?.modbusCode === 'number') {
    const name = EXCEPTIONS[e.modbusCode] ?? 'unknown exception'
    // §7 code 11: a gateway whose serial device did not answer is a timeout of that device.
    if (e.modbusCode === 11)
      return new TransportError(message, `${QualityReasons.TIMEOUT}:gateway target did not respond`, false, err)
    return new TransportError(message, `${QualityReasons.DEVICE_EXCEPTION}:${e.modbusCode} ${name}`, false, err)
  }
  // modbus-serial's own frame checks (index.js _onReceive): the bytes that came are not the
  // answer asked for. The stream may be out of step, so the connection is dropped and reopened.
  if (/^(Data length error|CRC error|Unexpected data error)/.test(message)) {
    return new TransportError(message, `${QualityReasons.MALFORMED}:${message.toLowerCase()}`, true, err)
  }
  if (e?.errno === 'ETIMEDOUT' || /timed out/i.test(message))
    return new TransportError(message, QualityReasons.TIMEOUT, true, err)
  const code = e?.code ?? e?.errno ?? ''
  return new TransportError(message, `${QualityReasons.UNREACHABLE}${code ? `:${code}` : ''}`, true, err)
}

// modbus-serial is CommonJS: its module.exports (the ESM default) is the client class.
const ModbusRTU = ModbusSerial as unknown as typeof ModbusClient

/** How a transport opens its modbus-serial client: a TCP connection or a serial port. */
export interface Opener {
  open(client: ModbusClient): Promise<void>
  /**
   * tcp: destroy() — close() would wait for the peer's FIN, which a hung device never sends, and
   * destroy() also cancels pending transactions. serial: close() — the buffered RTU port has no
   * destroy(), and only close() releases the port's lock for the next open.
   */
  release: 'destroy' | 'close'
}

export const tcpOpener = (host: string, port: number): Opener => ({
  open: (client) => client.connectTCP(host, { port }),
  release: 'destroy',
})

/**
 * RTU frames over a TCP socket (a transparent serial server): modbus-serial's `connectTelnet`
 * port writes the RTU frame as is and reassembles the answer by unit id, function code and
 * expected length; the CRC is checked as for a serial port. Not `connectTcpRTUBuffered`: despite
 * its name, that port puts an MBAP header on the frame and drops the CRC (it speaks Modbus TCP),
 * which a serial line behind a transparent server never answers.
 */
export const rtuOverTcpOpener = (host: string, port: number): Opener => ({
  open: (client) => client.connectTelnet(host, { port }),
  release: 'destroy',
})

export interface SerialOptions {
  path: string
  baudRate: number
  parity: 'none' | 'even' | 'odd'
  dataBits: 7 | 8
  stopBits: 1 | 2
}

// connectRTUBuffered: the buffered port reassembles responses split across serial reads.
export const rtuOpener = (o: SerialOptions): Opener => ({
  open: (client) =>
    client.connectRTUBuffered(o.path, {
      baudRate: o.baudRate,
      parity: o.parity,
      dataBits: o.dataBits,
      stopBits: o.stopBits,
    }),
  release: 'close',
})

/**
 * One modbus-serial client (a TCP connection or a serial port), one request at a time: the
 * callers serialize (a device, a gateway or an RS485 line serves one transaction at a time).
 * The unit id and the timeout are given per request, so several slaves share one line.
 */
export class ModbusTransport {
  #client: ModbusClient | null = null
  constructor(
    private readonly opener: Opener,
    private readonly connectTimeoutMs: number,
  ) {}

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
        timer = setTimeout(
          () => reject(Object.assign(new Error('connect timed out'), { errno: 'ETIMEDOUT' })),
          this.connectTimeoutMs,
        )
      })
      await Promise.race([this.opener.open(client), timedOut])
    } catch (err) {
      await this.close()
      throw classify(err)
    } finally {
      clearTimeout(timer)
    }
  }

  #ready(unitId: number, timeoutMs: number): ModbusClient {
    const client = this.#client
    if (!client?.isOpen) throw new TransportError('not connected', QualityReasons.UNREACHABLE, true)
    client.setID(unitId)
    client.setTimeout(timeoutMs)
    return client
  }

  /** Reads `count` registers (numbers) or bits (booleans) from `start` of `table`. */
  async read(
    unitId: number,
    timeoutMs: number,
    table: ModbusTable,
    start: number,
    count: number,
  ): Promise<number[] | boolean[]> {
    const client = this.#ready(unitId, timeoutMs)
    try {
      switch (table) {
        case 'holding':
          return (await client.readHoldingRegisters(start, count)).data
        case 'input':
          return (await client.readInputRegisters(start, count)).data
        case 'coil':
          return (await client.readCoils(start, count)).data.slice(0, count)
        case 'discrete':
          return (await client.readDiscreteInputs(start, count)).data.slice(0, count)
      }
    } catch (err) {
      throw classify(err)
    }
  }

  async writeRegisters(unitId: number, timeoutMs: number, address: number, words: number[]): Promise<void> {
    const client = this.#ready(unitId, timeoutMs)
    try {
      await client.writeRegisters(address, words)
    } catch (err) {
      throw classify(err)
    }
  }

  async writeCoil(unitId: number, timeoutMs: number, address: number, value: boolean): Promise<void> {
    const client = this.#ready(unitId, timeoutMs)
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
    await new Promise<void>((resolve) => {
      // Bounded: a port that never reports closing must not hang stop().
      const timer = setTimeout(resolve, 2_000)
      const done = () => {
        clearTimeout(timer)
        resolve()
      }
      try {
        if (this.opener.release === 'destroy') client.destroy(done)
        else if (client.isOpen) client.close(done)
        else done()
      } catch {
        done()
      }
    })
  }
}
