import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LEVEL, PRESSURE, batch, good } from '../cloud/helpers.ts'
import { HAS_CHROMIUM } from '../util/browser.ts'
import { type BrowserEnv, startBrowserEnv } from '../util/browser-env.ts'
import { logIn } from '../util/dashboard.ts'

const MIN = 60_000

/**
 * Issue 17's multi-pen trend, KPI page and completeness page in Chromium, against the real cloud
 * app: the level reports every minute, with a 20-minute silence (and a gap record the edge sent
 * for it: its disk was full) and a fleeting H alarm; the pressure reports every minute throughout.
 */
describe.skipIf(!HAS_CHROMIUM)(
  'trend, KPIs and completeness in Chromium (skipped: /usr/bin/chromium is not installed)',
  () => {
    let b: BrowserEnv
    let now = 0
    /** The chart's series labels and data as uPlot holds them (the page keeps the plot on its element). */
    const chart = () =>
      b.page.evaluate<{ labels: string[]; data: Array<Array<number | null | undefined>> } | null>(`(() => {
      const plot = document.querySelector('[data-testid=trend-chart]').plot
      return plot ? { labels: plot.series.map((s) => s.label), data: plot.data } : null
    })()`)
    const hashRange = async () => {
      const q = new URLSearchParams((await b.page.evaluate<string>('location.hash')).split('?')[1])
      return { from: Number(q.get('from')), to: Number(q.get('to')) }
    }

    beforeAll(async () => {
      b = await startBrowserEnv({
        prefix: 'parklink-trend-kpi-',
        mustContain: 'dataset.drawn', // the trend marks the range it drew (the drag test waits for it)
        accounts: [['center-li', 'park_operator']],
      })
      now = Date.now()
      let seq = 0
      for (let m = 60; m >= 0; m--) {
        const t = now - m * MIN
        const level = m > 40 || m <= 20 ? [good(LEVEL, t, m === 45 ? 10 : 6)] : [] // silent from -40 to -20 min
        const back = m === 45 ? [good(LEVEL, t + 30_000, 6)] : [] // the H alarm recovers after 30 s: fleeting
        await b.env.store.ingestBatch(batch(++seq, [...level, good(PRESSURE, t, 0.5), ...back]), {
          site: 'huaian',
          receivedAt: now,
        })
      }
      await b.env.store.recordGaps(
        'shilian-01',
        [
          {
            reason: 'disk_full',
            fromSeq: 100,
            throughSeq: 100,
            batches: 20,
            samples: 600,
            from: now - 35 * MIN,
            to: now - 25 * MIN,
            points: [LEVEL],
            at: now - 25 * MIN,
          },
        ],
        now,
      )
      await logIn(b.page, b.origin, 'center-li')
    }, 120_000)

    afterAll(async () => {
      await b?.close()
    })

    it('a multi-pen trend with a gap drawn as a gap, alarms marked, pan and drag-zoom', async () => {
      const { page, origin } = b
      await page.goto(`${origin}/#/trend?p=${LEVEL}&from=${now - 60 * MIN}&to=${now + MIN}`)
      await page.waitForSelector('[data-testid=trend-chart] canvas')
      // A second pen, added from the picker.
      await page.selectOption('[data-testid=pen-choose]', PRESSURE)
      await page.click('[data-testid=pen-add]')
      await expect
        .poll(async () => (await chart())?.labels, { timeout: 10_000 })
        .toEqual(['时间', '液氨储罐TK-101液位 (m)', '液氯储罐V-201压力 (MPa)'])
      const { data } = (await chart())!
      const [xs, level, pressure] = data as [
        number[],
        Array<number | null | undefined>,
        Array<number | null | undefined>,
      ]
      // The level's line breaks across its silence: null at every time inside it (the pressure's included), none undefined.
      const silent = xs.flatMap((x, i) => (x > now - 41 * MIN && x < now - 20 * MIN ? [level[i]] : []))
      expect(silent.length).toBeGreaterThan(20)
      expect(silent.every((v) => v === null)).toBe(true)
      expect(level.filter((v) => typeof v === 'number').length).toBe(42) // 20 before the silence, 21 after, and the recovery
      // The pressure never stopped: no break in its line.
      expect(pressure.filter((v) => v === null)).toEqual([])
      expect(pressure.filter((v) => typeof v === 'number').length).toBe(61)
      // The fleeting H alarm: its raise and recovery marked; the edge's gap record listed.
      expect(await page.locator('[data-testid=trend-events] li[data-mark=raise]').count()).toBe(1)
      expect(await page.locator('[data-testid=trend-events] li[data-mark=recover]').count()).toBe(1)
      expect(await page.textContent('[data-testid=trend-gaps]')).toContain('网关磁盘已满')

      // The CSV export holds what is shown: a row per time on the chart, a column per pen.
      const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=trend-csv]')])
      const csv = readFileSync((await download.path())!, 'utf8')
        .trimEnd()
        .split('\n')
      expect(csv[0]).toBe('\uFEFFtime,local_time,液氨储罐TK-101液位 (m),液氯储罐V-201压力 (MPa)')
      expect(csv).toHaveLength(xs.length + 1)

      // Pan by half the span with the button, then back with the key.
      const before = await hashRange()
      await page.click('[data-testid=pan-left]')
      await expect.poll(hashRange).toEqual({ from: before.from - 30.5 * MIN, to: before.to - 30.5 * MIN })
      await page.keyboard.press('ArrowRight')
      await expect.poll(hashRange).toEqual(before)
      // Drag across a quarter of the plot: the range narrows to it (and is read again). The drag goes
      // to the chart drawn for this range, once no read is in flight (a chart drawn meanwhile is replaced).
      const drawn = `[data-testid=trend-chart][aria-busy=false][data-drawn="${before.from}..${before.to}"]`
      const over = page.locator(`${drawn} .u-over`)
      await over.waitFor({ timeout: 10_000 })
      const box = (await over.boundingBox())!
      await page.mouse.move(box.x + box.width * 0.25, box.y + box.height / 2)
      await page.mouse.down()
      await page.mouse.move(box.x + box.width * 0.5, box.y + box.height / 2, { steps: 5 })
      await page.mouse.up()
      await expect
        .poll(async () => {
          const r = await hashRange()
          return (r.to - r.from) / (before.to - before.from)
        })
        .toBeLessThan(0.3)
    })

    it('a long range reads buckets, not every sample', async () => {
      const { page, origin } = b
      await page.goto(`${origin}/#/trend?p=${LEVEL},${PRESSURE}`)
      await page.waitForSelector('[data-testid=trend-chart] canvas')
      const history = page.waitForResponse((r) => r.url().includes('/history?') && r.url().includes('buckets='))
      await page.click(`[data-testid=preset-${7 * 24 * 60 * MIN}]`)
      await history
      await expect.poll(() => page.textContent('[data-testid=trend-status]'), { timeout: 10_000 }).toMatch(/按 .+ 聚合/)
      const { data } = (await chart())!
      expect(data[0]!.length).toBeLessThanOrEqual(600)
      expect(data[1]!.some((v) => typeof v === 'number')).toBe(true)
    })

    it('the KPI page shows the figures the API gives for the seeded alarms', async () => {
      const { page, origin } = b
      const answer = page.waitForResponse((r) => r.url().includes('/api/v1/kpi/park'))
      await page.goto(`${origin}/#/kpi`)
      const k = await (await answer).json()
      const alarms = await b.env.store.listAlarms({
        scope: 'all',
        state: 'all',
        raisedFrom: k.from,
        raisedTo: k.to,
        limit: 100,
      })
      expect(alarms.map((a) => [a.point, a.kind, a.priority])).toEqual([[LEVEL, 'H', 'A']])
      const figure = (key: string) => page.textContent(`[data-kpi=${key}] b`)
      await expect.poll(() => figure('perDay'), { timeout: 10_000 }).toBe(String(k.perDay.total))
      expect(await figure('perHour')).toBe(String(k.perHour))
      expect(await figure('aClass')).toBe(String(k.perDay.aClass))
      expect(await figure('fleeting')).toBe(String(k.perDay.fleeting))
      expect(await figure('busyHourPercent')).toBe(`${k.busyHourPercent} %`)
      expect(await figure('floodPercent')).toBe(`${k.isa.floodPercent} %`)
      // The daily table adds up to the seeded alarm, fleeting and A-class.
      const column = (c: string) =>
        page.$$eval(`[data-testid=kpi-days] td[data-col=${c}]`, (tds) =>
          tds.reduce((n, td) => n + Number(td.textContent), 0),
        )
      expect(await column('total')).toBe(1)
      expect(await column('aClass')).toBe(1)
      expect(await column('fleeting')).toBe(1)
      await page.waitForSelector('[data-testid=kpi-hourly-chart] canvas')
    })

    it('the completeness page lists the seeded gap, in Chinese', async () => {
      const { page, origin } = b
      await page.goto(`${origin}/#/completeness`)
      await page.click('[data-testid=period] [data-days="7"]')
      const row = page.locator('[data-testid=compl-gaps] tr[data-gap=disk_full]')
      await row.waitFor({ timeout: 10_000 })
      const text = await row.textContent()
      for (const part of ['shilian-01', '网关磁盘已满', '600', '液氨储罐TK-101液位']) expect(text).toContain(part)
      expect(await page.locator(`[data-testid=compl-points] tr[data-point="${LEVEL}"]`).count()).toBe(1)
    })
  },
)
