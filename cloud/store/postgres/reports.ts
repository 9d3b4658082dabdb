import { and, count, desc, eq, gt, gte, inArray, isNull, lt, or, type SQL } from 'drizzle-orm'
import type { ReportStore, StoredReport } from '../report-store.ts'
import { alarmsOldestFirst } from './alarm-reads.ts'
import type { PgDb } from './db.ts'
import { alarms, enterprises, points, reports } from './schema.ts'
import { byteOrder } from './tx.ts'

/**
 * Report reads (issue 18), read-only over the whole park's alarms, and the catalog of generated
 * reports, on PostgreSQL (as cloud/store/sqlite/reports.ts). Ranges are [from, to).
 */
export function pgReportOps(db: PgDb): ReportStore {
  return {
    alarmsRaised: ({ from, to }) => alarmsOldestFirst(db, and(gte(alarms.raisedAt, from), lt(alarms.raisedAt, to))),
    alarmsOpenAt: (at) =>
      alarmsOldestFirst(db, and(lt(alarms.raisedAt, at), or(isNull(alarms.closedAt), gt(alarms.closedAt, at)))),
    offlineEpisodes: ({ from, to }) =>
      alarmsOldestFirst(
        db,
        and(
          inArray(alarms.kind, ['STALE', 'OFFLINE']),
          lt(alarms.raisedAt, to),
          or(isNull(alarms.recoveredAt), gt(alarms.recoveredAt, from)),
        ),
      ),
    enterprises: () => enterpriseSummaries(db),
    save: async (report) => {
      const [row] = await db.insert(reports).values(reportRow(report)).returning({ id: reports.id })
      return { ...report, id: row!.id }
    },
    list: async ({ name, from, to, limit }) => {
      const where = and(
        name === undefined ? undefined : eq(reports.name, name),
        from === undefined ? undefined : gt(reports.toTs, from),
        to === undefined ? undefined : lt(reports.fromTs, to),
      )
      return (await newestFirst(db, where).limit(limit)).map(storedReportOf)
    },
    get: async (id) => {
      const [row] = await db.select().from(reports).where(eq(reports.id, id))
      return row ? storedReportOf(row) : null
    },
    find: async (name, { from, to }) => {
      const where = and(eq(reports.name, name), eq(reports.fromTs, from), eq(reports.toTs, to))
      const [row] = await newestFirst(db, where).limit(1)
      return row ? storedReportOf(row) : null
    },
  }
}

/** Every enterprise with its registered points, by id. */
async function enterpriseSummaries(db: PgDb) {
  const registered = db
    .select({ enterprise: points.enterprise, points: count().as('points') })
    .from(points)
    .where(eq(points.registered, true))
    .groupBy(points.enterprise)
    .as('registered')
  const rows = await db
    .select({ id: enterprises.id, name: enterprises.name, points: registered.points })
    .from(enterprises)
    .leftJoin(registered, eq(registered.enterprise, enterprises.id))
    .orderBy(byteOrder(enterprises.id))
  return rows.map((r) => ({ ...r, points: Number(r.points ?? 0) }))
}

const newestFirst = (db: PgDb, where: SQL | undefined) =>
  db.select().from(reports).where(where).orderBy(desc(reports.generatedAt), desc(reports.id))

/** A report's columns are its fields, but for the period's (from_ts, to_ts). */
const reportRow = ({ from, to, ...r }: Omit<StoredReport, 'id'>): typeof reports.$inferInsert => ({
  ...r,
  fromTs: from,
  toTs: to,
})

const storedReportOf = ({ fromTs, toTs, ...r }: typeof reports.$inferSelect): StoredReport => ({
  ...r,
  from: fromTs,
  to: toTs,
})
