import ExcelJS from 'exceljs'
import { describe, expect, it } from 'vitest'
import { planImport } from './import-table.ts'
import { columnOf, readTable, type TableRow } from './table.ts'
import { templateCsv, templateXlsx } from './template.ts'

const CONFIG = `# the box at the tank farm
site: huaian
edge: e1
dataDir: ./data
uplink:
  url: mqtt://127.0.0.1:1883
devices:
  - id: dcs # the DCS's Modbus gateway
    kind: modbus-tcp
    host: 127.0.0.1
    port: 502
    points:
      - id: tk101.level
        address: hr0
        type: float32
  - id: line1
    kind: modbus-rtu
    port: /dev/ttyS1
    units:
      - unitId: 3
        points:
          - { id: gas.1, address: ir0 }
  - id: opc1
    kind: opcua
    endpoint: opc.tcp://127.0.0.1:4840
    points:
      - id: tk201.temp
        nodeId: ns=2;s=TK201.Temp
`

const row = (line: number, cells: TableRow['cells']): TableRow => ({ line, cells })

async function xlsx(rows: unknown[][]): Promise<Buffer> {
  const book = new ExcelJS.Workbook()
  const sheet = book.addWorksheet('点位')
  for (const r of rows) sheet.addRow(r)
  return Buffer.from(await book.xlsx.writeBuffer())
}

describe('data-access table rows', () => {
  it('knows the columns in Chinese, English and both', () => {
    expect(columnOf('点位编号')).toBe('id')
    expect(columnOf('ID')).toBe('id')
    expect(columnOf('从站地址 unitId')).toBe('unitId')
    expect(columnOf('节点(nodeId)')).toBe('nodeId')
    expect(columnOf('remarks')).toBeNull()
  })

  it('reads an XLSX sheet: numbers as text, empty cells left out, rows numbered as in Excel', async () => {
    const bytes = await xlsx([
      ['设备', '点位编号', '点位名称', '地址', '系数', '备注'],
      ['dcs', 'tk102.level', '二号罐液位', 'hr2', 0.1, 'x'],
      [],
      ['opc1', 'tk202.temp', null, null, null],
    ])
    expect(await readTable(bytes, 't.xlsx')).toEqual([
      row(2, { device: 'dcs', id: 'tk102.level', name: '二号罐液位', address: 'hr2', scale: '0.1' }),
      row(4, { device: 'opc1', id: 'tk202.temp' }),
    ])
  })

  it('reads a UTF-8 CSV with a BOM, and the template in both forms round-trips', async () => {
    const rows = await readTable(Buffer.from('\uFEFFdevice,id,address\r\ndcs,a.b,40001\r\n'), 't.csv')
    expect(rows).toEqual([row(2, { device: 'dcs', id: 'a.b', address: '40001' })])
    for (const bytes of [await templateXlsx(), Buffer.from(templateCsv())]) {
      const t = await readTable(bytes, 'template')
      expect(t.map((r) => r.cells.id)).toEqual(['tk101.level', 'tk201.temp'])
      expect(t[1]!.cells.nodeId).toBe('ns=2;s=TK201.Temp')
    }
  })

  it('refuses what is not a spreadsheet with one error saying what to upload', async () => {
    const cases: Array<[Buffer, RegExp]> = [
      [Buffer.from('%PDF-1.7\n\x00\x01binary'), /binary file/],
      [Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0, 0]), /\.xls file/],
      [Buffer.from([0x50, 0x4b, 0x03, 0x04, 1, 2, 3]), /not an Excel workbook/],
      [Buffer.from([0xc4, 0xe3, 0xba, 0xc3, 0x2c]), /not UTF-8/], // GBK text
      [Buffer.from('name,comment\nx,y\n'), /no column for device, id, address or nodeId/],
      [Buffer.from('device,id,address\n'), /no data rows/],
    ]
    for (const [bytes, message] of cases)
      await expect(readTable(bytes, 'up.bin')).rejects.toMatchObject({
        code: 'PL_BAD_REQUEST',
        message: expect.stringMatching(message),
        hint: expect.stringMatching(/\.xlsx.*CSV in UTF-8/),
      })
  })
})

describe('planning an import', () => {
  it('adds Modbus TCP, RTU (by slave) and OPC UA rows, keeping the comments', () => {
    const plan = planImport(
      CONFIG,
      'edge.yaml',
      [
        row(2, {
          device: 'dcs',
          id: 'tk102.level',
          name: '液位',
          unit: 'm',
          address: 'hr2',
          type: 'FLOAT32',
          order: 'cdab',
        }),
        row(3, { device: 'line1', id: 'gas.2', unitId: '3', address: 'ir1' }),
        row(4, { device: 'line1', id: 'gas.3', unitId: '4', address: 'ir0', scale: '0.1' }),
        row(5, { device: 'opc1', id: 'tk202.temp', nodeId: 'ns=2;s=TK202.Temp' }),
      ],
      null,
    )
    expect(plan.problems).toEqual([])
    expect(plan.added).toBe(4)
    expect(plan.byDevice).toEqual({ dcs: 1, line1: 2, opc1: 1 })
    expect(plan.text).toContain('# the box at the tank farm')
    expect(plan.text).toContain("- id: dcs # the DCS's Modbus gateway")
    expect(plan.text).toMatch(
      /- id: tk102\.level\n\s+name: 液位\n\s+unit: m\n\s+address: hr2\n\s+type: float32\n\s+order: CDAB/,
    )
    expect(plan.text).toMatch(/- unitId: 4\n\s+points:\n\s+- id: gas\.3/)
  })

  it('lists every bad row with what to do, whatever the kind of mistake', () => {
    const plan = planImport(
      CONFIG,
      'edge.yaml',
      [
        row(2, { device: 'dcs', id: 'ok.1', address: 'hr10' }),
        row(3, { device: 'dcs', id: 'bad.addr', address: 'hr99999' }),
        row(4, { device: 'nosuch', id: 'x.1', address: 'hr1' }),
        row(5, { device: 'dcs', id: 'tk101.level', address: 'hr20' }),
        row(6, { device: 'opc1', id: 'x.2', address: 'hr1' }),
        row(7, { device: 'dcs', id: 'ok.1', address: 'hr11' }),
        row(8, { device: 'line1', id: 'x.3', address: 'ir5' }),
        row(9, { device: 'dcs', id: 'x.4', address: 'hr30', scale: 'ten' }),
        row(10, { device: 'dcs', id: 'x.5', address: 'hr40', type: 'float99' }),
      ],
      null,
    )
    const lines = [...new Set(plan.problems.map((p) => p.line))]
    expect(lines).toEqual([3, 4, 5, 6, 7, 8, 9, 10])
    const at = (line: number) => plan.problems.find((p) => p.line === line)!
    expect(at(3).message).toMatch(/^address: .*99999/)
    expect(at(4)).toMatchObject({
      message: 'no device "nosuch" in the config',
      hint: expect.stringMatching(/devices page/),
    })
    expect(at(5).message).toMatch(/duplicate point id "tk101.level"/)
    expect(at(6).message).toMatch(/column address is for Modbus rows/)
    expect(at(7).message).toMatch(/also on row 2/)
    expect(at(8).hint).toMatch(/从站地址/)
    expect(at(9).message).toMatch(/scale "ten" is not a number/)
    expect(at(10).message).toMatch(/^type: /)
    for (const p of plan.problems) expect(p.hint).toBeTruthy()
  })
})
