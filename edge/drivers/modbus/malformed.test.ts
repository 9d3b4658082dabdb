import { createServer, type Server, type Socket } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { systemClock } from '../../../shared/clock.ts'
import { createLogger } from '../../log.ts'
import type { Driver } from '../driver.ts'
import { ModbusTcpDeviceConfig } from './config.ts'
import { createModbusTcpDriver } from './index.ts'

/**
 * A "PLC" that answers FC 03 with a frame of its choosing (MBAP header + PDU, Modbus Messaging
 * on TCP/IP §3.1.3): malformed answers must make only the affected read bad, with the reason,
 * and the next good answer must read good again on the same connection or a new one.
 */
type Answer = (request: Buffer) => Buffer | null

function frame(transaction: number, unit: number, pdu: number[]): Buffer {
  const b = Buffer.alloc(7 + pdu.length)
  b.writeUInt16BE(transaction, 0)
  b.writeUInt16BE(0, 2) // protocol id: Modbus
  b.writeUInt16BE(pdu.length + 1, 4)
  b.writeUInt8(unit, 6)
  Buffer.from(pdu).copy(b, 7)
  return b
}

const good: Answer = (r) => frame(r.readUInt16BE(0), r[6]!, [3, 4, 0x00, 0x2a, 0x00, 0x07]) // hr0 = 42, hr1 = 7
const wrongByteCount: Answer = (r) => frame(r.readUInt16BE(0), r[6]!, [3, 2, 0x00, 0x2a]) // asked 2 registers, got 1
const exception: Answer = (r) => frame(r.readUInt16BE(0), r[6]!, [0x83, 0x04]) // §7: 04 server device failure
const otherFunction: Answer = (r) => frame(r.readUInt16BE(0), r[6]!, [4, 4, 0, 1, 0, 2]) // answers FC 04 to FC 03

const servers: Server[] = []
const drivers: Driver[] = []
afterEach(async () => {
  await Promise.all(drivers.splice(0).map((d) => d.stop()))
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))))
})

async function plc(answers: { current: Answer }): Promise<number> {
  const sockets = new Set<Socket>()
  const server = createServer((socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => {})
    socket.on('data', (request) => {
      const reply = answers.current(request)
      if (reply) socket.write(reply)
    })
  })
  const close = server.close.bind(server)
  server.close = ((cb?: (err?: Error) => void) => {
    for (const s of sockets) s.destroy()
    return close(cb)
  }) as typeof server.close
  servers.push(server)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return (server.address() as { port: number }).port
}

function driver(port: number): Driver {
  const config = ModbusTcpDeviceConfig.parse({
    id: 'plc',
    kind: 'modbus-tcp',
    host: '127.0.0.1',
    port,
    timeoutMs: 300,
    points: [
      { id: 'a', address: 'hr0' },
      { id: 'b', address: 'hr1' },
    ],
  })
  const d = createModbusTcpDriver(config, { clock: systemClock, log: createLogger('malformed-test', 'silent') })
  drivers.push(d)
  return d
}

describe('Modbus TCP driver: malformed answers', () => {
  it.each([
    ['a byte count that does not match the request', wrongByteCount, /^malformed_response:data length error/],
    ['an exception reply (04 server device failure)', exception, /device_exception:4/],
    ['an answer for another function code', otherFunction, /^malformed_response:unexpected data error/],
  ])(
    '%s: the read is bad with a reason; the next good answer reads good',
    async (_title, bad, reason) => {
      const answers = { current: good }
      const d = driver(await plc(answers))
      await d.start()
      expect((await d.read!()).map((s) => [s.point, s.quality, s.value])).toEqual([
        ['a', 'good', 42],
        ['b', 'good', 7],
      ])

      answers.current = bad
      const broken = await d.read!()
      expect(broken.map((s) => s.quality)).toEqual(['bad', 'bad'])
      for (const s of broken) expect(s.reason).toMatch(reason)

      answers.current = good
      // A driver may drop the connection after a protocol error and reconnect with backoff: keep
      // reading (as the poller would) until the answer is good again.
      let again = await d.read!()
      for (let i = 0; i < 40 && again.some((s) => s.quality !== 'good'); i++) {
        await new Promise((resolve) => setTimeout(resolve, 100))
        again = await d.read!()
      }
      expect(again.map((s) => [s.point, s.quality, s.value])).toEqual([
        ['a', 'good', 42],
        ['b', 'good', 7],
      ])
    },
    15_000,
  )
})
