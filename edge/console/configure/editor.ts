import { randomUUID } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import type { Logger } from 'pino'
import { parseDocument } from 'yaml'
import type { Clock } from '../../../shared/clock.ts'
import { errorMessage, ParklinkError } from '../../../shared/errors.ts'
import { checkEdgeConfigText } from '../../config-check.ts'
import { readEdgeConfigText } from '../../config.ts'
import { OpcuaDeviceConfig } from '../../drivers/opcua/config.ts'
import { replaceConfigFile } from '../../tools/config-file.ts'
import { openChangeLog, type ChangeLog } from './change-log.ts'
import { EDITABLE_KINDS, type DeviceDraft } from './drafts.ts'
import { planImport, type RowProblem } from './import-table.ts'
import { browseVariables, scanModbusTcp, testReadPoint } from './live-tools.ts'
import { readTable } from './table.ts'
import type { ConfigEditor, Proposal, ScanJob, Who } from './types.ts'
import { upsertDevice } from './yaml-edit.ts'
import { hintProblem, type RegistryHints } from '../../registry-hint.ts'

/**
 * The console's config editor: a change is made on the file's YAML Document (comments kept),
 * checked by the one config check (edge/config-check.ts) with the agent's environment, written
 * (atomically, the previous file kept as .bak) and applied through the supervisor's
 * validate-apply-rollback path (edge/supervisor.ts); request and outcome go to the change log.
 * One change at a time: a second waits until the first one's apply has ended.
 */
export interface ConfigEditorDeps {
  file: string
  dataDir: string
  clock: Clock
  log: Logger
  env?: NodeJS.ProcessEnv
  /** The supervisor's apply (re-reads the file; restores it when the new config cannot start). */
  applyFile(): Promise<{ outcome: string; configHash?: string; error?: string }>
  changeLog?: ChangeLog
  /** The park registry's ownership hint (edge/registry-hint.ts): new point ids it refuses are listed, nothing applied. */
  hints?: RegistryHints
}

const EDITABLE = new Set<string>(EDITABLE_KINDS)

export function createConfigEditor(deps: ConfigEditorDeps): ConfigEditor {
  const env = deps.env ?? process.env
  const changeLog = deps.changeLog ?? openChangeLog(deps.dataDir)
  const scans = createScanJobs()
  let pending: { id: string; text: string; previous: string } | null = null
  let applying = false

  const withDraft = (draft: DeviceDraft) => {
    const doc = parseDocument(readEdgeConfigText(deps.file))
    upsertDevice(doc, draft)
    const text = doc.toString()
    return { text, check: checkEdgeConfigText(text, deps.file, env) }
  }
  const problemsOf = (check: ReturnType<typeof checkEdgeConfigText>): RowProblem[] =>
    check.problems.map((p) => ({
      line: null,
      message: `${p.path ? `${p.path}: ` : ''}${p.message}`,
      ...(p.hint ? { hint: p.hint } : {}),
    }))

  // Issue 19: a point id the registry binds to another edge (or to none, under strict) is refused before anything is written.
  const refusedIds = (rows: ReadonlyArray<{ id: string; line: number | null }>): RowProblem[] => {
    if (!deps.hints) return []
    const running = configuredIds(readEdgeConfigText(deps.file))
    const fresh = rows.filter((r) => r.id !== '' && !running.has(r.id))
    const refused = new Map(deps.hints.refused(fresh.map((r) => r.id)).map((r) => [r.id, r.reason]))
    return fresh.flatMap((r) => {
      const reason = refused.get(r.id)
      return reason ? [{ line: r.line, ...hintProblem(r.id, reason) }] : []
    })
  }

  const commit = (next: string, who: Who, action: 'device' | 'import', summary: string): string => {
    const previous = readEdgeConfigText(deps.file)
    const id = randomUUID()
    changeLog.append({
      id,
      at: deps.clock.now(),
      event: 'requested',
      who: who.user,
      remote: who.remote,
      action,
      summary,
    })
    replaceConfigFile(deps.file, previous, next)
    pending = { id, text: next, previous }
    deps.log.warn({ change: id, who: who.user, remote: who.remote, action, summary }, 'config change from the console')
    return id
  }

  const finish = (
    id: string,
    r: { outcome: string; configHash?: string; error?: string },
    change: { text: string; previous: string },
  ) => {
    let event: 'applied' | 'rolled-back' = r.outcome === 'applied' ? 'applied' : 'rolled-back'
    let error = r.error
    if (r.outcome === 'unchanged') {
      // The file watcher applied it first (or rolled it back, restoring the running text).
      const now = safeRead(deps.file)
      event = now === change.text ? 'applied' : 'rolled-back'
      if (event === 'rolled-back')
        error = `the new config did not start and was rolled back: see ${deps.file}.failed and the recent events`
    }
    if (r.outcome === 'invalid') writeFileSync(deps.file, change.previous) // not reached when the check passed; never leave a refused file behind
    changeLog.append({
      id,
      at: deps.clock.now(),
      event,
      ...(r.configHash ? { configHash: r.configHash } : {}),
      ...(error ? { error } : {}),
    })
  }

  return {
    devices() {
      const raw = parseDocument(readEdgeConfigText(deps.file)).toJS() as { devices?: unknown }
      const list = Array.isArray(raw.devices) ? (raw.devices as Array<Record<string, unknown>>) : []
      return list.map((device) => ({ device, editable: EDITABLE.has(String(device.kind)) }))
    },
    async proposeDevice(draft, who) {
      if (pending) return { ok: false, busy: true }
      const { text, check } = withDraft(draft)
      const problems = [
        ...(check.ok ? [] : problemsOf(check)),
        ...refusedIds(draft.points.map((p) => ({ id: p.id, line: null }))),
      ]
      if (problems.length > 0) return { ok: false, problems }
      return {
        ok: true,
        change: commit(text, who, 'device', `device ${draft.id} (${draft.kind}, ${draft.points.length} points)`),
      }
    },
    async importTable(bytes, filename, who): Promise<Proposal> {
      if (pending) return { ok: false, busy: true }
      const rows = await readTable(bytes, filename)
      const plan = planImport(readEdgeConfigText(deps.file), deps.file, rows, env)
      const problems = [
        ...plan.problems,
        ...refusedIds(rows.map((r) => ({ id: r.cells.id ?? '', line: r.line }))),
      ].sort((a, b) => (a.line ?? 0) - (b.line ?? 0))
      if (problems.length > 0) return { ok: false, problems }
      const per = Object.entries(plan.byDevice)
        .map(([d, n]) => `${d} +${n}`)
        .join(', ')
      return {
        ok: true,
        change: commit(plan.text, who, 'import', `${filename}: ${plan.added} points (${per})`),
        added: plan.added,
      }
    },
    async testRead(draft, point) {
      const { check } = withDraft(draft)
      if (!check.ok || !check.config) return { problems: problemsOf(check) }
      return testReadPoint(check.config, point, deps.log.child({ component: 'console-test-read' }))
    },
    startScan: (target, units, timeoutMs) => scans.start(target, units, timeoutMs),
    scan: (id) => scans.get(id),
    async browse(draft, nodeId) {
      const device = OpcuaDeviceConfig.safeParse({ ...draft, points: [{ id: 'browse', nodeId: 'i=85' }] })
      if (!device.success)
        return {
          problems: device.error.issues.map((i) => ({ line: null, message: `${i.path.join('.')}: ${i.message}` })),
        }
      return browseVariables(device.data, deps.dataDir, deps.log.child({ component: 'console-browse' }), nodeId)
    },
    applyPending() {
      const change = pending
      if (!change || applying) return
      applying = true
      void deps
        .applyFile()
        .then(
          (r) => finish(change.id, r, change),
          (err: unknown) => finish(change.id, { outcome: 'rolled-back', error: errorMessage(err) }, change),
        )
        .catch((err: unknown) => deps.log.error({ err: errorMessage(err) }, 'recording a console change failed'))
        .finally(() => {
          applying = false
          pending = null
        })
    },
    changes: () => changeLog.list(),
  }
}

/** The point ids the config file names now (a point already running is not a new claim). */
function configuredIds(text: string): Set<string> {
  const raw = parseDocument(text).toJS() as { devices?: Array<{ points?: Array<{ id?: unknown }> }> }
  const ids = new Set<string>()
  for (const d of Array.isArray(raw.devices) ? raw.devices : [])
    for (const p of Array.isArray(d?.points) ? d.points : []) if (typeof p?.id === 'string') ids.add(p.id)
  return ids
}

function safeRead(file: string): string | null {
  try {
    return readFileSync(file, 'utf8')
  } catch {
    return null
  }
}

/** Modbus scans run in the background; the page polls their progress (a full scan of 247 ids takes minutes). */
function createScanJobs() {
  const jobs = new Map<string, ScanJob>()
  return {
    start(target: { host: string; port: number }, units: number[], timeoutMs: number): ScanJob {
      const job: ScanJob = { id: randomUUID(), done: 0, total: units.length, found: [], finished: false, error: null }
      for (const [id, old] of jobs) if (old.finished) jobs.delete(id)
      jobs.set(job.id, job)
      scanModbusTcp(target, units, timeoutMs, (done) => (job.done = done)).then(
        (r) => Object.assign(job, { found: r.found, finished: true, done: units.length }),
        (err: unknown) =>
          Object.assign(job, {
            finished: true,
            error:
              err instanceof ParklinkError
                ? { code: err.code, message: err.message, ...(err.hint ? { hint: err.hint } : {}) }
                : { code: 'PL_DEVICE_UNREACHABLE', message: errorMessage(err) },
          }),
      )
      return job
    },
    get: (id: string) => jobs.get(id) ?? null,
  }
}
