import { and, desc, eq, inArray, isNull } from 'drizzle-orm'
import type { AlarmChange, Owner, OwnershipFacts, SecurityEvent } from '../store.ts'
import { createAlarmWrites } from './alarm-writes.ts'
import { edgeAlarmPoint, securityDetail, securityWrite } from '../../alarms/engine/system.ts'
import type { Db } from './db.ts'
import type { PlanInTx } from './push-outbox.ts'
import { alarms, cameras, points, registryEdges } from './schema.ts'
import { insertAuditRow } from './audit-chain.ts'

const CHUNK = 500

export { edgeAlarmPoint }

/**
 * What the ingest's ownership decision reads (cloud/ingest/ownership.ts), and the security
 * event it writes when an edge sends what it does not own (issue 13).
 */
export function createOwnershipOps(db: Db, emit: (change: AlarmChange) => void, planInTx: PlanInTx = () => {}) {
  const writes = createAlarmWrites(db)
  function owners(table: typeof points | typeof cameras, ids: readonly string[]): Map<string, Owner> {
    const out = new Map<string, Owner>()
    for (let i = 0; i < ids.length; i += CHUNK) {
      for (const r of db
        .select({ id: table.id, edge: table.edge, enterprise: table.enterprise })
        .from(table)
        .where(inArray(table.id, ids.slice(i, i + CHUNK)))
        .all())
        out.set(r.id, { edge: r.edge, enterprise: r.enterprise })
    }
    return out
  }

  return {
    facts(edge: string, pointIds: readonly string[], cameraIds: readonly string[]): OwnershipFacts {
      const binding = db.select().from(registryEdges).where(eq(registryEdges.id, edge)).get()
      return {
        edge: binding
          ? { id: binding.id, site: binding.site, enterprise: binding.enterprise, claim: binding.claim }
          : null,
        points: owners(points, pointIds),
        cameras: owners(cameras, cameraIds),
      }
    },

    /**
     * One SECURITY alarm per edge until a person closes it: an event, so it is raised and
     * recovered at once (a person triages and closes it); later refusals join its timeline.
     * The audit log gets an entry in the same transaction.
     */
    securityEvent(e: SecurityEvent): { alarm: number; raised: boolean } {
      const point = edgeAlarmPoint(e.edge)
      const changes: AlarmChange[] = []
      const out = db.transaction(
        (tx) => {
          const open = tx
            .select({ id: alarms.id })
            .from(alarms)
            .where(and(eq(alarms.point, point), eq(alarms.kind, 'SECURITY'), isNull(alarms.closedAt)))
            .orderBy(desc(alarms.id))
            .get()
          const alarm = writes.save(securityWrite(e, open?.id ?? null), changes)!
          insertAuditRow(tx, {
            at: e.at,
            actor: `edge:${e.edge}`,
            action: 'ingest_refused',
            target: point,
            outcome: 'refused',
            detail: { ...securityDetail(e), alarm },
          })
          planInTx(changes)
          return { alarm, raised: open === undefined }
        },
        { behavior: 'immediate' },
      )
      for (const c of changes) emit(c)
      return out
    },
  }
}
