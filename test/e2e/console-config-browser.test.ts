import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import ExcelJS from 'exceljs'
import type { BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startModbusSim, type ModbusSim } from '../sim/modbus-sim.ts'
import { HAS_CHROMIUM, launchBrowser } from '../util/browser.ts'
import { startParklink, stopAll, type Child } from '../util/child.ts'
import { freePort, waitForPort } from '../util/ports.ts'

/**
 * The console configures (issue 19), in Debian's Chromium against a real `parklink edge` and the
 * Modbus simulator: a technician adds a Modbus TCP device, test-reads its point before saving,
 * applies it, and the agent then reads it; a data-access table (XLSX built here with exceljs)
 * with a bad row is held back row by row with nothing applied, a file that is not a spreadsheet
 * gets one error, and the corrected table is applied with the config file's comments kept.
 * Every change is in the change log with who and when.
 */
const PASSWORD = 'Tk101-console!'

async function workbook(rows: unknown[][]): Promise<Buffer> {
  const book = new ExcelJS.Workbook()
  const sheet = book.addWorksheet('数据接入表')
  for (const r of rows) sheet.addRow(r)
  return Buffer.from(await book.xlsx.writeBuffer())
}

describe.skipIf(!HAS_CHROMIUM)(
  'console configures in Chromium (skipped: /usr/bin/chromium is not installed; apt-get install chromium)',
  () => {
    let dir: string
    let file: string
    let sim: ModbusSim
    let edge: Child
    let context: BrowserContext
    let page: Page
    let origin: string

    beforeAll(async () => {
      dir = mkdtempSync(path.join(tmpdir(), 'parklink-console-config-'))
      sim = await startModbusSim()
      sim.setValue('holding', 0, 4.25, 'float32')
      sim.setValue('holding', 2, 7.5, 'float32')
      sim.setValue('holding', 4, 12.5, 'float32')
      const port = await freePort()
      origin = `http://127.0.0.1:${port}`
      file = path.join(dir, 'edge.yaml')
      writeFileSync(
        file,
        `# 罐区网关 — the technician's own notes stay in this file
site: huaian
edge: shilian-01
dataDir: ./data
uplink:
  url: mqtt://127.0.0.1:${await freePort()}
  reconnectMinMs: 200
  reconnectMaxMs: 1000
devices:
  - id: dcs # the DCS's Modbus TCP port
    kind: modbus-tcp
    host: 127.0.0.1
    port: ${sim.port}
    pollMs: 200
    points:
      - { id: tk101.level, name: 液氨储罐液位, unit: m, address: hr0, type: float32 }
console:
  listen: 127.0.0.1:${port}
  passwordEnv: PARKLINK_CONSOLE_PASSWORD
`,
      )
      edge = startParklink('edge', ['edge', '--config', file], { PARKLINK_CONSOLE_PASSWORD: PASSWORD })
      await waitForPort(port, 20_000).catch((err: Error) => {
        throw new Error(`${err.message}\n${edge.output()}`)
      })
      context = await launchBrowser(dir)
      page = context.pages()[0] ?? (await context.newPage())
      await page.goto(`${origin}/login`)
      await page.fill('input[name=name]', '张工')
      await page.fill('input[name=password]', PASSWORD)
      await Promise.all([page.waitForURL(`${origin}/?lang=zh-CN`), page.click('button[type=submit]')])
    }, 60_000)

    afterAll(async () => {
      await context?.close()
      await stopAll()
      await sim?.stop()
      rmSync(dir, { recursive: true, force: true })
    })

    it('adds a Modbus device, test-reads its point before saving, applies it, and the agent reads it', async () => {
      await page.click('text=设备与点位配置')
      await page.waitForURL(`${origin}/config?lang=zh-CN`)
      await expect.poll(() => page.locator('#devices tr[data-device="dcs"]').count()).toBe(1)
      await page.click('#new-device')
      await page.selectOption('#kind', 'modbus-tcp')
      await page.fill('#dev-id', 'plc2')
      await page.fill('#host', '127.0.0.1')
      await page.fill('#port-tcp', String(sim.port))
      await page.click('#add-point')
      const row = page.locator('#point-rows tr').first()
      await row.locator('.p-id').fill('tk102.level')
      await row.locator('.p-name').fill('二号罐液位')
      await row.locator('.p-unit').fill('m')
      await row.locator('.p-address').fill('hr2')
      await row.locator('.p-type').fill('float32')
      await row.locator('.test-read').click()
      await expect
        .poll(() => row.locator('.read-result').getAttribute('data-quality'), { timeout: 15_000 })
        .toBe('good')
      expect(await row.locator('.read-result').textContent()).toMatch(/^7\.5 m · good · raw 0x40f0 0x0000/)
      // Test-reading saved nothing.
      expect(readFileSync(file, 'utf8')).not.toContain('plc2')

      await page.click('#apply')
      await expect
        .poll(() => page.locator('#form-result [data-outcome]').getAttribute('data-outcome'), { timeout: 30_000 })
        .toBe('applied')
      const text = readFileSync(file, 'utf8')
      expect(text).toContain("# 罐区网关 — the technician's own notes stay in this file")
      expect(text).toContain("- id: dcs # the DCS's Modbus TCP port")
      expect(text).toMatch(
        /- id: plc2\n\s+kind: modbus-tcp\n\s+host: 127\.0\.0\.1\n\s+port: \d+\n\s+points:\n\s+- id: tk102\.level/,
      )
      expect(text).not.toContain('writable')

      // The agent (restarted on the new config) reads it.
      await page.click('text=运行状态')
      await expect
        .poll(() => page.locator('tr[data-point="tk102.level"] td.value').textContent(), { timeout: 20_000 })
        .toBe('7.5')
      // Who and when, in the page's change log and in the 0600 file under the data dir.
      await page.goto(`${origin}/config?lang=zh-CN`)
      await expect
        .poll(() => page.locator('#changes td').allTextContents())
        .toEqual(expect.arrayContaining(['张工', '已应用']))
      const log = path.join(dir, 'data', 'console-changes.jsonl')
      expect(statSync(log).mode & 0o777).toBe(0o600)
      expect(readFileSync(log, 'utf8')).toMatch(/"who":"张工".*"summary":"device plc2/)
    }, 90_000)

    it('holds back an XLSX table with a bad row, refuses a non-spreadsheet, then applies the corrected table', async () => {
      await page.goto(`${origin}/config?lang=zh-CN`)
      const before = readFileSync(file, 'utf8')
      const header = ['设备', '点位编号', '点位名称', '单位', '地址', '数据类型']
      await page.setInputFiles('#table-file', {
        name: '数据接入表.xlsx',
        mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
        buffer: await workbook([
          header,
          ['dcs', 'tk103.level', '三号罐液位', 'm', 'hr4', 'float32'],
          ['dcs', 'tk104.level', '四号罐液位', 'm', 'hr99999', 'float32'],
        ]),
      })
      await page.click('#import-button')
      await expect
        .poll(() => page.locator('#import-result .problems td').first().textContent(), { timeout: 15_000 })
        .toBe('3')
      expect(await page.locator('#import-result').textContent()).toContain('有错误，未做任何修改')
      expect(readFileSync(file, 'utf8')).toBe(before)

      await page.setInputFiles('#table-file', {
        name: 'photo.png',
        mimeType: 'image/png',
        buffer: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0x0d]),
      })
      await page.click('#import-button')
      await expect
        .poll(() => page.locator('#import-result').textContent())
        .toMatch(/PL_BAD_REQUEST: photo\.png is not a data-access table.*\.xlsx/)
      expect(readFileSync(file, 'utf8')).toBe(before)

      await page.setInputFiles('#table-file', {
        name: '数据接入表.xlsx',
        mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
        buffer: await workbook([header, ['dcs', 'tk103.level', '三号罐液位', 'm', 'hr4', 'float32']]),
      })
      await page.click('#import-button')
      await expect
        .poll(() => page.locator('#import-result [data-outcome]').getAttribute('data-outcome'), { timeout: 30_000 })
        .toBe('applied')
      expect(readFileSync(file, 'utf8')).toContain("# 罐区网关 — the technician's own notes stay in this file")
      await page.goto(`${origin}/?lang=zh-CN`)
      await expect
        .poll(() => page.locator('tr[data-point="tk103.level"] td.value').textContent(), { timeout: 20_000 })
        .toBe('12.5')
    }, 90_000)
  },
)
