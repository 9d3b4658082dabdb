import { noFacts, type DisposalFacts } from '../../alarms/workflow.ts'
import type { Priority } from '../../../shared/rules/priority.ts'
import type { EnterpriseSummary, ReportFile, ReportStore, StoredReport } from '../report-store.ts'
import type { AlarmKind, AlarmRecord } from '../store.ts'
import type { Db } from './db.ts'

/**
 * Report reads (issue 18), read-only over the alarm store, and the catalog of generated
 * reports. Plain prepared statements: these scan a month of alarms at once and must stay fast
 * (a 1 000-point park's month renders in well under a minute, README "Reports").
 */
const ALARM_COLUMNS = `a.id, a.point, a.kind, a.priority, a.raised_at AS raisedAt, a.value, a.limit_value AS "limit",
  a.recovered_at AS recoveredAt, a.recovered_value AS recoveredValue, a.state, a.closed_at AS closedAt, a.repeats, a.disposal,
  coalesce(p.name, c.name) AS pointName, coalesce(p.enterprise, c.enterprise) AS enterprise
  FROM alarms a LEFT JOIN points p ON p.id = a.point LEFT JOIN cameras c ON 'camera:' || c.id = a.point`

interface AlarmRow extends Omit<AlarmRecord, 'disposal' | 'kind' | 'priority'> {
  kind: string
  priority: string
  disposal: string | null
}

const toAlarm = (r: AlarmRow): AlarmRecord => ({
  ...r,
  kind: r.kind as AlarmKind,
  priority: r.priority as Priority,
  disposal: r.disposal === null ? noFacts() : (JSON.parse(r.disposal) as DisposalFacts),
})

interface ReportRow {
  id: number
  name: string
  kind: string
  title: string
  from_ts: number
  to_ts: number
  params: string
  files: string
  empty: number
  trigger: StoredReport['trigger']
  requested_by: string
  generated_at: number
  duration_ms: number
}

const toReport = (r: ReportRow): StoredReport => ({
  id: r.id,
  name: r.name,
  kind: r.kind,
  title: r.title,
  from: r.from_ts,
  to: r.to_ts,
  params: JSON.parse(r.params) as Record<string, unknown>,
  files: JSON.parse(r.files) as ReportFile[],
  empty: r.empty === 1,
  trigger: r.trigger,
  requestedBy: r.requested_by,
  generatedAt: r.generated_at,
  durationMs: r.duration_ms,
})

export function createReportOps(db: Db): ReportStore {
  const sqlite = db.$client
  const raised = sqlite.prepare<{ from: number; to: number }>(
    `SELECT ${ALARM_COLUMNS} WHERE a.raised_at >= @from AND a.raised_at < @to ORDER BY a.raised_at, a.id`,
  )
  const openAt = sqlite.prepare<{ at: number }>(
    `SELECT ${ALARM_COLUMNS} WHERE a.raised_at < @at AND (a.closed_at IS NULL OR a.closed_at > @at) ORDER BY a.raised_at, a.id`,
  )
  const offline = sqlite.prepare<{ from: number; to: number }>(
    `SELECT ${ALARM_COLUMNS} WHERE a.kind IN ('STALE', 'OFFLINE') AND a.raised_at < @to AND (a.recovered_at IS NULL OR a.recovered_at > @from) ORDER BY a.raised_at, a.id`,
  )
  const enterprises = sqlite.prepare(
    `SELECT e.id, e.name, (SELECT COUNT(*) FROM points p WHERE p.enterprise = e.id AND p.registered = 1) AS points FROM enterprises e ORDER BY e.id`,
  )
  const insert =
    sqlite.prepare(`INSERT INTO reports (name, kind, title, from_ts, to_ts, params, files, empty, "trigger", requested_by, generated_at, duration_ms)
    VALUES (@name, @kind, @title, @from, @to, @params, @files, @empty, @trigger, @requestedBy, @generatedAt, @durationMs)`)
  const list = sqlite.prepare<{ name: string | null; from: number | null; to: number | null; limit: number }>(
    `SELECT * FROM reports WHERE (@name IS NULL OR name = @name) AND (@from IS NULL OR to_ts > @from) AND (@to IS NULL OR from_ts < @to) ORDER BY generated_at DESC, id DESC LIMIT @limit`,
  )
  const byId = sqlite.prepare<{ id: number }>('SELECT * FROM reports WHERE id = @id')
  const find = sqlite.prepare<{ name: string; from: number; to: number }>(
    'SELECT * FROM reports WHERE name = @name AND from_ts = @from AND to_ts = @to ORDER BY generated_at DESC, id DESC LIMIT 1',
  )
  const run = async <T>(fn: () => T): Promise<T> => fn()

  return {
    alarmsRaised: (range) => run(() => (raised.all(range) as AlarmRow[]).map(toAlarm)),
    alarmsOpenAt: (at) => run(() => (openAt.all({ at }) as AlarmRow[]).map(toAlarm)),
    offlineEpisodes: (range) => run(() => (offline.all(range) as AlarmRow[]).map(toAlarm)),
    enterprises: () => run(() => enterprises.all() as EnterpriseSummary[]),
    save: (report) =>
      run(() => {
        const { lastInsertRowid } = insert.run({
          ...report,
          params: JSON.stringify(report.params),
          files: JSON.stringify(report.files),
          empty: report.empty ? 1 : 0,
        })
        return { ...report, id: Number(lastInsertRowid) }
      }),
    list: (filter) =>
      run(() =>
        (
          list.all({
            name: filter.name ?? null,
            from: filter.from ?? null,
            to: filter.to ?? null,
            limit: filter.limit,
          }) as ReportRow[]
        ).map(toReport),
      ),
    get: (id) =>
      run(() => {
        const row = byId.get({ id }) as ReportRow | undefined
        return row ? toReport(row) : null
      }),
    find: (name, range) =>
      run(() => {
        const row = find.get({ name, ...range }) as ReportRow | undefined
        return row ? toReport(row) : null
      }),
  }
}
