import type net from 'node:net'
import ModbusSerial from 'modbus-serial'
import { encodeRegisters } from '../../edge/drivers/modbus/decode.ts'
import type { ByteOrder } from '../../edge/drivers/modbus/config.ts'

/**
 * A Modbus TCP device for tests and the demo, on modbus-serial's ServerTCP, made to behave like
 * a real PLC rather than like a fast server:
 * - requests to one unit are answered ONE AT A TIME, each after `responseMs` (a real PLC, or a
 *   TCP→RTU gateway on one bus, serves one request at a time; ServerTCP alone answers pipelined
 *   requests concurrently, which flatters a pipelining client);
 * - a unit id it does not serve never answers (like a gateway with an absent slave → timeout);
 * - an address beyond `size` answers exception 2, illegal data address (§7).
 */
export interface ModbusSimOptions {
  port?: number
  host?: string
  unitIds?: number[]
  responseMs?: number
  /** Registers (and bits) per table; addresses ≥ size are illegal. */
  size?: number
  /** Each unit gets its own registers (default: all units share one register bank). */
  separateUnits?: boolean
}

export interface RegisterApi {
  /** Register requests answered (or refused with an exception) so far; bit reads are not counted. */
  readonly requests: number
  setHolding(address: number, words: number[]): void
  setInput(address: number, words: number[]): void
  setCoil(address: number, value: boolean): void
  setDiscrete(address: number, value: boolean): void
  setValue(
    table: 'holding' | 'input',
    address: number,
    value: number,
    type: 'int16' | 'uint16' | 'int32' | 'uint32' | 'float32' | 'float64',
    order?: ByteOrder,
  ): void
  holding(address: number): number
  /** The registers of one unit, when the simulator keeps them per unit (`separateUnits`). */
  unit(id: number): Omit<RegisterApi, 'requests' | 'unit'>
}

export interface ModbusSim extends RegisterApi {
  port: number
  /** Open client connections. */
  readonly connections: number
  /** Closes the port and every connection (idempotent). */
  stop(): Promise<void>
  /** Listens again on the same port, with the same register values. */
  restart(): Promise<void>
}

type Cb<T> = (err: { modbusErrorCode: number; msg: string } | null, value?: T) => void

const ServerTCP = (
  ModbusSerial as unknown as {
    ServerTCP: new (
      vector: object,
      options: object,
    ) => import('node:events').EventEmitter & {
      _server: net.Server
      socks: Map<net.Socket, unknown>
      close(cb: () => void): void
    }
  }
).ServerTCP

/** Registers and bits of a set of units, with the vector modbus-serial's servers call; shared by the TCP and RTU simulators. */
export function createRegisterBank(
  options: Pick<ModbusSimOptions, 'unitIds' | 'responseMs' | 'size' | 'separateUnits'> = {},
) {
  const size = options.size ?? 10_000
  const units = new Set(options.unitIds ?? [1])
  const responseMs = options.responseMs ?? 0
  const newTables = () => ({
    holding: new Uint16Array(size),
    input: new Uint16Array(size),
    coil: new Uint8Array(size),
    discrete: new Uint8Array(size),
  })
  type Tables = ReturnType<typeof newTables>
  const shared = newTables()
  // Separate units: each slave has its own registers (several gauges of one type on one line).
  const perUnit = new Map<number, Tables>(options.separateUnits ? [...units].map((u) => [u, newTables()]) : [])
  const tablesOf = (unit: number): Tables => perUnit.get(unit) ?? shared
  const queues = new Map<number, Promise<void>>()
  let requests = 0

  // One queue per unit: each request waits for the previous one, then for responseMs.
  const serve = <T>(unit: number, fn: () => T, cb: Cb<T>) => {
    if (!units.has(unit)) return // absent unit: no answer at all
    const previous = queues.get(unit) ?? Promise.resolve()
    const next = previous.then(
      () =>
        new Promise<void>((resolve) => {
          const answer = () => {
            requests++
            try {
              cb(null, fn())
            } catch (err) {
              cb(err as { modbusErrorCode: number; msg: string })
            }
            resolve()
          }
          if (responseMs > 0) setTimeout(answer, responseMs).unref()
          else setImmediate(answer)
        }),
    )
    queues.set(unit, next)
  }
  const check = (address: number, length: number) => {
    if (address + length > size) throw { modbusErrorCode: 2, msg: 'illegal data address' }
  }
  const words = (table: Uint16Array, address: number, length: number) => {
    check(address, length)
    return Array.from(table.subarray(address, address + length))
  }
  // ServerTCP asks for bits one call per bit, so they are answered at once, outside the queue.
  const bit = (table: Uint8Array, address: number, unit: number, cb: Cb<boolean>) => {
    if (!units.has(unit)) return
    try {
      check(address, 1)
      cb(null, table[address] === 1)
    } catch (err) {
      cb(err as { modbusErrorCode: number; msg: string })
    }
  }

  const vector = {
    getMultipleHoldingRegisters: (a: number, n: number, unit: number, cb: Cb<number[]>) =>
      serve(unit, () => words(tablesOf(unit).holding, a, n), cb),
    getMultipleInputRegisters: (a: number, n: number, unit: number, cb: Cb<number[]>) =>
      serve(unit, () => words(tablesOf(unit).input, a, n), cb),
    getHoldingRegister: (a: number, unit: number, cb: Cb<number>) =>
      serve(unit, () => words(tablesOf(unit).holding, a, 1)[0]!, cb),
    getInputRegister: (a: number, unit: number, cb: Cb<number>) =>
      serve(unit, () => words(tablesOf(unit).input, a, 1)[0]!, cb),
    getCoil: (a: number, unit: number, cb: Cb<boolean>) => bit(tablesOf(unit).coil, a, unit, cb),
    getDiscreteInput: (a: number, unit: number, cb: Cb<boolean>) => bit(tablesOf(unit).discrete, a, unit, cb),
    setRegister: (a: number, value: number, unit: number, cb: Cb<void>) =>
      serve(
        unit,
        () => {
          check(a, 1)
          tablesOf(unit).holding[a] = value
        },
        cb,
      ),
    setCoil: (a: number, value: boolean, unit: number, cb: Cb<void>) =>
      serve(
        unit,
        () => {
          check(a, 1)
          tablesOf(unit).coil[a] = value ? 1 : 0
        },
        cb,
      ),
  }

  const apiFor = (tables: Tables): Omit<RegisterApi, 'requests' | 'unit'> => ({
    setHolding: (a, w) => {
      check(a, w.length)
      tables.holding.set(w, a)
    },
    setInput: (a, w) => {
      check(a, w.length)
      tables.input.set(w, a)
    },
    setCoil: (a, v) => {
      check(a, 1)
      tables.coil[a] = v ? 1 : 0
    },
    setDiscrete: (a, v) => {
      check(a, 1)
      tables.discrete[a] = v ? 1 : 0
    },
    setValue(table, address, value, type, order = 'ABCD') {
      const w = encodeRegisters(value, type, order)
      check(address, w.length)
      tables[table].set(w, address)
    },
    holding: (a) => tables.holding[a] ?? 0,
  })
  const api: RegisterApi = {
    ...apiFor(shared),
    get requests() {
      return requests
    },
    unit(id) {
      const t = perUnit.get(id)
      if (!t) throw new Error(`unit ${id} has no registers of its own: start the simulator with separateUnits`)
      return apiFor(t)
    },
  }
  return { vector, api }
}

/** The register API plus a simulator's own members; getters stay getters (Object.assign would freeze them into values). */
export function withApi<T extends object>(api: RegisterApi, own: T): RegisterApi & T {
  return Object.defineProperties(Object.create(api) as RegisterApi & T, Object.getOwnPropertyDescriptors(own))
}

export async function startModbusSim(options: ModbusSimOptions = {}): Promise<ModbusSim> {
  const { vector, api } = createRegisterBank(options)
  // ServerTCP binds `options.port || 502`, so a numeric 0 would become 502; net.Server.listen
  // takes the string "0" as "any free port", which is what tests and the demo need.
  const listen = async (port: number) => {
    const s = new ServerTCP(vector, { host: options.host ?? '127.0.0.1', port: String(port), unitID: 255 })
    await new Promise<void>((resolve, reject) => {
      s.once('initialized', () => resolve())
      s.once('serverError', reject)
    })
    s.on('socketError', () => {}) // a client resetting its connection is normal
    s.on('error', () => {})
    return s
  }
  let server: InstanceType<typeof ServerTCP> | null = await listen(options.port ?? 0)
  const port = (server._server.address() as net.AddressInfo).port

  const sim = withApi(api, {
    port,
    get connections() {
      return server?.socks.size ?? 0
    },
    async stop() {
      const s = server
      server = null
      if (!s) return
      for (const sock of s.socks.keys()) sock.destroy()
      await new Promise<void>((resolve) => s.close(() => resolve()))
    },
    async restart() {
      if (server) return
      server = await listen(port)
    },
  })
  return sim
}
