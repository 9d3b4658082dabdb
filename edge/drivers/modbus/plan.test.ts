import { describe, expect, it } from 'vitest'
import type { ModbusTable } from './address.ts'
import { planReads, type PlannedPoint } from './plan.ts'

const pts = (...specs: Array<[ModbusTable, number, number?]>): PlannedPoint[] =>
  specs.map(([table, address, width = 1], index) => ({ index, table, address, width }))
const shape = (points: PlannedPoint[], maxGap = 8, maxRegistersPerRead = 125) =>
  planReads(points, { maxGap, maxRegistersPerRead }).map(
    (r) => `${r.table}:${r.start}+${r.count}[${r.points.map((p) => `${p.index}@${p.offset}`).join(',')}]`,
  )

describe('planReads', () => {
  it.each([
    ['neighbours merge', pts(['holding', 0, 2], ['holding', 2, 2], ['holding', 4]), ['holding:0+5[0@0,1@2,2@4]']],
    ['a gap within maxGap is read through', pts(['holding', 0], ['holding', 9]), ['holding:0+10[0@0,1@9]']],
    ['a gap beyond maxGap splits', pts(['holding', 0], ['holding', 10]), ['holding:0+1[0@0]', 'holding:10+1[1@0]']],
    [
      'tables never mix',
      pts(['holding', 0], ['input', 1], ['coil', 0], ['discrete', 0]),
      ['coil:0+1[2@0]', 'discrete:0+1[3@0]', 'input:1+1[1@0]', 'holding:0+1[0@0]'],
    ],
    ['unsorted input is sorted', pts(['holding', 4], ['holding', 0]), ['holding:0+5[1@0,0@4]']],
    ['two points on one register share it', pts(['holding', 3], ['holding', 3]), ['holding:3+1[0@0,1@0]']],
    ['overlapping wide points', pts(['holding', 0, 2], ['holding', 1, 2]), ['holding:0+3[0@0,1@1]']],
  ])('%s', (_name, points, expected) => {
    expect(shape(points)).toEqual(expected)
  })

  it('reads exactly 125 registers in one request (§6.3) and splits at 126', () => {
    expect(shape(pts(['holding', 0], ['holding', 124]), 200)).toEqual(['holding:0+125[0@0,1@124]'])
    expect(shape(pts(['holding', 0], ['holding', 125]), 200)).toEqual(['holding:0+1[0@0]', 'holding:125+1[1@0]'])
  })

  it('never lets a wide point straddle two requests', () => {
    const plan = planReads(pts(['holding', 0], ['holding', 123, 2]), { maxGap: 200, maxRegistersPerRead: 124 })
    expect(plan.map((r) => [r.start, r.count])).toEqual([
      [0, 1],
      [123, 2],
    ])
  })

  it('honours a device limit below 125', () => {
    expect(shape(pts(['holding', 0], ['holding', 10]), 50, 10)).toEqual(['holding:0+1[0@0]', 'holding:10+1[1@0]'])
  })

  it('merges bits up to 2000 per request (§6.1)', () => {
    expect(shape(pts(['coil', 0], ['coil', 1999]), 200)).toEqual(['coil:0+2000[0@0,1@1999]'])
    expect(shape(pts(['coil', 0], ['coil', 2000]), 200)).toEqual(['coil:0+1[0@0]', 'coil:2000+1[1@0]'])
  })
})
