import { describe, expect, it } from 'vitest'
import { COLUMNS, parsePointsCsv, pointsToCsv } from './csv.ts'
import type { RegistryPoint } from './model.ts'

const point = (over: Partial<RegistryPoint> = {}): RegistryPoint => ({
  id: 'shilian.gt101.nh3',
  name: '罐区氨气检测, GT-101 "东"',
  enterprise: 'shilian',
  class: 'gas',
  unit: 'ppm',
  unitCode: '04',
  substance: '氨',
  cas: '7664-41-7',
  rangeLow: 0,
  rangeHigh: 100,
  h: 20,
  hh: 40,
  l: null,
  ll: null,
  hazardSource: 'shilian-mhs',
  area: 'shilian-tf',
  indicatorType: '05',
  monitorDevice: 'shilian-gds',
  lon: 119.0123,
  lat: 33.5012,
  ...over,
})

describe('points CSV', () => {
  it('reads back what it writes, quotes and formula guard included', () => {
    const list = [
      point(),
      point({
        id: 'shilian.tk101.level',
        name: '-液位',
        class: 'mhs',
        unit: 'm',
        cas: null,
        substance: null,
        l: 2,
        ll: 1,
        h: 9.5,
        hh: 10.5,
      }),
    ]
    const { points, errors } = parsePointsCsv(pointsToCsv(list))
    expect(errors).toEqual([])
    expect(points).toEqual(list)
  })

  it("accepts the data-access tables' aliases, columns in any order and Chinese class names", () => {
    const { points, errors } = parsePointsCsv(
      '位号,名称,企业,点位类别,高报,高高报,低报,低低报\nx.p1,压力,shilian,重大危险源,0.8,1.0,0.1,0.05\n',
    )
    expect(errors).toEqual([])
    expect(points).toEqual([
      { id: 'x.p1', name: '压力', enterprise: 'shilian', class: 'mhs', h: 0.8, hh: 1, l: 0.1, ll: 0.05 },
    ])
  })

  it('names unknown and missing columns, duplicates and bad values by row and column', () => {
    expect(parsePointsCsv('点位编号,点位名称\n').errors).toEqual([
      { row: 1, column: '', message: expect.stringContaining('no data rows') },
    ])
    expect(parsePointsCsv('点位编号,点位名称,企业,类别,颜色\na,b,c,gas,红\n').errors).toEqual([
      { row: 1, column: '颜色', message: expect.stringContaining('unknown column "颜色"') },
    ])
    const missing = parsePointsCsv('点位编号,点位名称,企业\na,b,c\n').errors
    expect(missing).toEqual([{ row: 1, column: '类别', message: 'the column 类别 is missing' }])
    const rows = parsePointsCsv(
      `${COLUMNS.map(([h]) => h).join(',')}\na.1,甲,shilian,gas,ppm,4,氨,7664-41-8x,0,100,20,40,,,,\na.1,甲,shilian,unknown,ppm,04,氨,,0,100,20,40,,,,\n`,
    ).errors
    expect(rows).toEqual([
      { row: 2, column: '计量单位编码', message: 'a unit code has two digits (01 m³ … 11 L)' },
      { row: 2, column: 'CAS号', message: 'a CAS number looks like 7664-41-7' },
      { row: 3, column: '类别', message: expect.stringContaining('gas') },
    ])
  })
})
