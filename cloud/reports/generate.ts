import { createHash } from 'node:crypto'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import type { Clock } from '../../shared/clock.ts'
import { ErrorCodes, ParklinkError } from '../../shared/errors.ts'
import type { ReportFile, StoredReport } from '../store/report-store.ts'
import type { Store } from '../store/store.ts'
import type { ReportDefinition, ReportFormat, ReportsConfig } from './config.ts'
import type { ReportDocument } from './document.ts'
import { KINDS } from './kinds/index.ts'
import { labelsFor } from './labels.ts'
import { compactLocal, formatLocal, type Range } from './period.ts'
import { writePdf } from './pdf.ts'
import { writeXlsx } from './xlsx.ts'

/**
 * Makes one report: the definition's kind over [from, to), rendered in each of its formats,
 * the files written under `dir/{name}/`, and a catalog row with the parameters it was made
 * with. Any past period can be made again; every generation is kept.
 */
export interface RunRequest {
  trigger: StoredReport['trigger']
  requestedBy: string
  /** The shift report's handover note. */
  note?: string
}

export interface ReportRunner {
  readonly definitions: readonly ReportDefinition[]
  definition(name: string): ReportDefinition
  run(name: string, range: Range, request: RunRequest): Promise<StoredReport>
  /** The newest generation of `name` over exactly this period. */
  find(name: string, range: Range): Promise<StoredReport | null>
  /** A stored report's file in one format; null when the report has no such file. */
  file(report: StoredReport, format: ReportFormat): Promise<{ body: Buffer; name: string } | null>
}

export interface RunnerDeps {
  store: Pick<Store, 'reports' | 'completenessIntervals'>
  config: ReportsConfig
  /** Absolute folder for the files ({dataDir}/{reports.dir}). */
  dir: string
  clock: Clock
}

/** At most a quarter at once: a report is a document, not an export. */
export const MAX_REPORT_SPAN_MS = 93 * 86_400_000

const HINT = 'from and to: epoch ms or ISO-8601 with a zone, from before to, at most 93 days apart'

export function checkRange(range: Range): void {
  if (!(Number.isFinite(range.from) && Number.isFinite(range.to) && range.from < range.to)) {
    throw new ParklinkError(
      ErrorCodes.BAD_REQUEST,
      `the report period must have from (${range.from}) before to (${range.to})`,
      { hint: HINT },
    )
  }
  if (range.to - range.from > MAX_REPORT_SPAN_MS)
    throw new ParklinkError(ErrorCodes.BAD_REQUEST, 'the report period is longer than 93 days', { hint: HINT })
}

async function buildDocument(
  deps: RunnerDeps,
  def: ReportDefinition,
  range: Range,
  request: RunRequest,
  generatedAt: number,
): Promise<ReportDocument> {
  const t = labelsFor(def.language)
  const tz = deps.config.timeZone
  const local = (ts: number) => formatLocal(ts, tz)
  const result = await KINDS[def.kind]({
    store: deps.store,
    def,
    range,
    timeZone: tz,
    t,
    local,
    ...(request.note === undefined ? {} : { note: request.note }),
  })
  return {
    title: def.title ?? t(`title.${def.kind}`),
    subtitle: [
      `${t('period')}: ${local(range.from)} — ${local(range.to)}  (${t('timeZone')}: ${tz})`,
      `${t('generated')}: ${local(generatedAt)}`,
    ],
    empty: result.empty ? t('empty') : null,
    sections: result.sections,
  }
}

async function render(
  doc: ReportDocument,
  format: ReportFormat,
  deps: RunnerDeps,
  def: ReportDefinition,
  generatedAt: number,
): Promise<Buffer> {
  if (format === 'xlsx') return writeXlsx(doc, { creator: 'parklink', created: new Date(generatedAt) })
  const more =
    def.language === 'en'
      ? (n: number) => `… ${n} more rows: see the XLSX`
      : (n: number) => `…… 另有 ${n} 行，见 XLSX 文件`
  return writePdf(doc, { font: deps.config.font, fontFace: deps.config.fontFace, moreRows: more })
}

export function createReportRunner(deps: RunnerDeps): ReportRunner {
  const definition = (name: string): ReportDefinition => {
    const def = deps.config.definitions.find((d) => d.name === name)
    if (!def)
      throw new ParklinkError(ErrorCodes.NOT_FOUND, `no report definition "${name}"`, {
        hint: `one of: ${deps.config.definitions.map((d) => d.name).join(', ') || '(none: add reports.definitions to the cloud config)'}`,
      })
    return def
  }
  return {
    definitions: deps.config.definitions,
    definition,
    async run(name, range, request) {
      const def = definition(name)
      checkRange(range)
      const started = performance.now()
      const generatedAt = deps.clock.now()
      const doc = await buildDocument(deps, def, range, request, generatedAt)
      const folder = path.join(deps.dir, def.name)
      await mkdir(folder, { recursive: true })
      const stem = `${def.name}_${compactLocal(range.from, deps.config.timeZone)}_${compactLocal(range.to, deps.config.timeZone)}_${generatedAt}`
      const files: ReportFile[] = []
      for (const format of def.formats) {
        const body = await render(doc, format, deps, def, generatedAt)
        const file = path.join(def.name, `${stem}.${format}`)
        await writeFile(path.join(deps.dir, file), body)
        files.push({ format, file, bytes: body.length, sha256: createHash('sha256').update(body).digest('hex') })
      }
      const params = {
        ...def,
        timeZone: deps.config.timeZone,
        ...(request.note === undefined ? {} : { note: request.note }),
      }
      return deps.store.reports.save({
        name: def.name,
        kind: def.kind,
        title: doc.title,
        from: range.from,
        to: range.to,
        params,
        files,
        empty: doc.empty !== null,
        trigger: request.trigger,
        requestedBy: request.requestedBy,
        generatedAt,
        durationMs: Math.round(performance.now() - started),
      })
    },
    find: (name, range) => deps.store.reports.find(name, range),
    async file(report, format) {
      const entry = report.files.find((f) => f.format === format)
      if (!entry) return null
      // The catalog names files under the folder; never follow one outside it.
      const full = path.resolve(deps.dir, entry.file)
      if (!full.startsWith(path.resolve(deps.dir) + path.sep)) return null
      try {
        return { body: await readFile(full), name: path.basename(entry.file) }
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null
        throw err
      }
    },
  }
}
