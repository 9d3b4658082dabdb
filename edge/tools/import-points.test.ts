import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { devicePoints, loadEdgeConfig } from '../config.ts'
import { importPoints, parseCsv } from './import-points.ts'

let dir: string
let config: string
const CONFIG = [
  '# 实联化工 edge — hand-written comments must survive an import',
  'site: huaian',
  'edge: shilian-01',
  'dataDir: ./data',
  'uplink: { url: "mqtt://127.0.0.1:1883" }',
  'devices:',
  '  - id: dcs   # 罐区 DCS',
  '    kind: modbus-tcp',
  '    host: 10.20.1.8',
  '    points:',
  '      - { id: shilian.tk101.level, address: hr0, type: float32 }',
  '',
].join('\n')

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'parklink-import-'))
  config = path.join(dir, 'edge.yaml')
  writeFileSync(config, CONFIG)
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

const csv = (lines: string[]) => {
  const file = path.join(dir, 'points.csv')
  writeFileSync(file, `\uFEFF${lines.join('\r\n')}\r\n`)
  return file
}

describe('parklink edge import-points', () => {
  it('parses CSV as Excel writes it: BOM, CRLF, quotes and commas inside quotes', () => {
    expect(parseCsv('\uFEFFa,b\r\n"x, ""y""",2\r\n\r\n')).toEqual([
      ['a', 'b'],
      ['x, "y"', '2'],
    ])
  })

  it("adds the table's points to the named device, keeping the comments", () => {
    const file = csv([
      '点位编号,点位名称,单位,设备,地址,数据类型,字节序,系数',
      'shilian.tk101.pressure,液氨储罐TK-101压力,MPa,dcs,hr2,float32,ABCD,',
      'shilian.tk101.temp,"液氨储罐TK-101温度",°C,dcs,40005,int16,,0.1',
      'shilian.gt101.nh3,罐区氨气检测GT-101,ppm,dcs,ir0,float32,CDAB,',
    ])
    expect(importPoints(file, config)).toEqual({ added: 3, byDevice: { dcs: 3 } })
    const text = readFileSync(config, 'utf8')
    expect(text).toContain('# 实联化工 edge — hand-written comments must survive an import')
    expect(text).toContain('# 罐区 DCS')
    const points = devicePoints(loadEdgeConfig(config).devices[0]!)
    expect(points.map((p) => p.id)).toEqual([
      'shilian.tk101.level',
      'shilian.tk101.pressure',
      'shilian.tk101.temp',
      'shilian.gt101.nh3',
    ])
    expect(loadEdgeConfig(config).devices[0]).toMatchObject({
      points: [{}, { unit: 'MPa' }, { address: '40005', type: 'int16', scale: 0.1 }, { order: 'CDAB' }],
    })
    expect(readFileSync(`${config}.bak`, 'utf8')).toBe(CONFIG)
  })

  it('reports each bad row and writes nothing', () => {
    const file = csv([
      'id,name,device,address,type',
      'shilian.a,A,dcs,hr10,float33',
      'shilian.b,B,dcs,hr20,float32',
      'shilian.c,C,dcs,hr21,int16',
      'shilian.d,D,plc9,hr30,int16',
      'shilian.e,E,dcs,xx1,int16',
    ])
    expect(() => importPoints(file, config)).toThrow(/4 problem\(s\), nothing was imported/)
    try {
      importPoints(file, config)
    } catch (err) {
      const message = (err as Error).message
      expect(message).toContain('row 2: unknown data type "float33"')
      expect(message).toContain('row 4: address hr21 overlaps shilian.b (holding register 21)')
      expect(message).toContain('row 5: no device "plc9"')
      expect(message).toMatch(/row 6: .*xx1/)
    }
    expect(readFileSync(config, 'utf8')).toBe(CONFIG)
  })

  it('a point that already exists in the config is refused by the config check, nothing written', () => {
    const file = csv(['点位编号,设备,地址', 'shilian.tk101.level,dcs,hr40'])
    expect(() => importPoints(file, config)).toThrow(/duplicate point id "shilian.tk101.level"/)
    expect(readFileSync(config, 'utf8')).toBe(CONFIG)
  })
})
