import net from 'node:net'
import ModbusSerial from 'modbus-serial'
import type { ModbusRTU as ModbusClient } from 'modbus-serial/ModbusRTU.js'
import { afterEach, describe, expect, it } from 'vitest'
import { startModbusSim, type ModbusSim } from '../sim/modbus-sim.ts'
import { benchEdgeConfig, blocksOf, parseModbusRuns } from './modbus-polling.ts'
import { startWireCounter, type WireCounter } from './modbus-wire.ts'

// modbus-serial's default export is the client class, though its typings say otherwise (as in edge/drivers/modbus/transport.ts).
const ModbusRTU = ModbusSerial as unknown as typeof ModbusClient

describe('the Modbus bench relay', () => {
  let sim: ModbusSim | null = null
  let wire: WireCounter | null = null
  afterEach(async () => {
    await wire?.close()
    await sim?.stop()
  })

  it('counts requests, answers and exception answers of a real client through it', async () => {
    sim = await startModbusSim({ unitIds: [1], size: 100 })
    sim.setHolding(0, [1, 2])
    wire = await startWireCounter({ port: sim.port })
    const client = new ModbusRTU()
    await client.connectTCP('127.0.0.1', { port: wire.port })
    client.setID(1)
    client.setTimeout(2_000)
    try {
      expect((await client.readHoldingRegisters(0, 2)).data).toEqual([1, 2])
      await expect(client.readHoldingRegisters(200, 2)).rejects.toMatchObject({ modbusCode: 2 })
      await client.readCoils(0, 1)
    } finally {
      await new Promise<void>((resolve) => client.close(() => resolve()))
    }
    expect(wire.counts()).toEqual({ requests: 3, responses: 2, exceptions: 1 })
  })

  it('counts a request once when it arrives in pieces (MBAP framing, not TCP chunks)', async () => {
    sim = await startModbusSim({ unitIds: [1] })
    wire = await startWireCounter({ port: sim.port })
    const socket = net.connect(wire.port, '127.0.0.1')
    await new Promise((resolve) => socket.once('connect', resolve))
    // Transaction 7, protocol 0, length 6, unit 1, FC 3, address 0, quantity 2 (application protocol §6.3).
    const frame = Buffer.from([0, 7, 0, 0, 0, 6, 1, 3, 0, 0, 0, 2])
    const answered = new Promise((resolve) => socket.once('data', resolve))
    socket.write(frame.subarray(0, 5))
    await new Promise((resolve) => setImmediate(resolve))
    socket.write(frame.subarray(5))
    await answered
    socket.destroy()
    expect(wire.counts()).toEqual({ requests: 1, responses: 1, exceptions: 0 })
  })
})

describe('--modbus-runs', () => {
  it('reads POLLxCOPIES@PLC entries and refuses an interval the edge would refuse', () => {
    expect(parseModbusRuns('50x10@2, 1000x1@0')).toEqual([
      { pollMs: 50, copies: 10, responseMs: 2 },
      { pollMs: 1000, copies: 1, responseMs: 0 },
    ])
    expect(() => parseModbusRuns('10x10@2')).toThrow(/≥ 50 ms/)
    expect(() => parseModbusRuns('50x10')).toThrow(/POLLxCOPIES@PLC/)
  })
})

describe('the blocks both sides read', () => {
  it("are the edge planner's requests for the plant's devices, copied with their own ids", () => {
    const config = benchEdgeConfig({
      dir: '/tmp/unused',
      port: 1502,
      pollMs: 50,
      copies: 2,
      mqttUrl: 'mqtt://127.0.0.1:1',
    })
    expect(config.devices.map((d) => d.id)).toEqual(['shilian-dcs', 'shilian-dcs-2', 'shilian-gds', 'shilian-gds-2'])
    expect(new Set(config.devices.flatMap((d) => d.points.map((p) => p.id))).size).toBe(
      config.devices.reduce((n, d) => n + d.points.length, 0),
    )
    const brief = (id: string) =>
      blocksOf(config.devices.find((d) => d.id === id)!).map(
        (b) => `${b.table} ${b.start}+${b.count} (${b.points.length})`,
      )
    // TK-101 at hr0–4 and TK-102 at hr10–14 merge across the 5-register gap (maxGap 8).
    expect(brief('shilian-dcs')).toEqual(['coil 0+1 (1)', 'discrete 0+1 (1)', 'holding 0+15 (6)'])
    expect(brief('shilian-gds-2')).toEqual(['input 0+10 (5)'])
  })
})
