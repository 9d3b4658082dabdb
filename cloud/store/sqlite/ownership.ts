import { and, desc, eq, inArray, isNull } from 'drizzle-orm'
import type { AlarmChange, Owner, OwnershipFacts, SecurityEvent } from '../store.ts'
import { append } from './alarms.ts'
import type { Db } from './db.ts'
import type { PlanInTx } from './push-outbox.ts'
import { alarms, cameras, points, registryEdges } from './schema.ts'
import { insertAuditRow } from './audit-chain.ts'

const CHUNK = 500

/** The alarm point of an edge (its comm loss and its security events). */
export const edgeAlarmPoint = (edge: string) => `edge:${edge}`

/**
 * What the ingest's ownership decision reads (cloud/ingest/ownership.ts), and the security
 * event it writes when an edge sends what it does not own (issue 13).
 */
export function createOwnershipOps(db: Db, emit: (change: AlarmChange) => void, planInTx: PlanInTx = () => {}) {
  function owners(table: typeof points | typeof cameras, ids: readonly string[]): Map<string, Owner> {
    const out = new Map<string, Owner>()
    for (let i = 0; i < ids.length; i += CHUNK) {
      for (const r of db.select({ id: table.id, edge: table.edge, enterprise: table.enterprise }).from(table).where(inArray(table.id, ids.slice(i, i + CHUNK))).all()) out.set(r.id, { edge: r.edge, enterprise: r.enterprise })
    }
    return out
  }

  return {
    facts(edge: string, pointIds: readonly string[], cameraIds: readonly string[]): OwnershipFacts {
      const binding = db.select().from(registryEdges).where(eq(registryEdges.id, edge)).get()
      return {
        edge: binding ? { id: binding.id, site: binding.site, enterprise: binding.enterprise, claim: binding.claim } : null,
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
      const detail = { reason: e.reason, code: e.code, items: [...e.items] }
      const changes: AlarmChange[] = []
      const out = db.transaction((tx) => {
        const open = tx.select({ id: alarms.id }).from(alarms).where(and(eq(alarms.point, point), eq(alarms.kind, 'SECURITY'), isNull(alarms.closedAt))).orderBy(desc(alarms.id)).get()
        let alarm = open?.id
        if (alarm === undefined) {
          alarm = tx.insert(alarms).values({ point, kind: 'SECURITY', priority: e.priority, raisedAt: e.at, value: e.items.length, limit: 0, recoveredAt: e.at, recoveredValue: 0, state: 'recovered' }).returning({ id: alarms.id }).get().id
          append(tx, alarm, { at: e.at, actor: 'system', action: 'raise', detail: { kind: 'SECURITY', priority: e.priority, ...detail } })
          append(tx, alarm, { at: e.at, actor: 'system', action: 'recover', detail: { instantaneous: true } })
          changes.push({ alarm, action: 'raise', at: e.at }, { alarm, action: 'recover', at: e.at })
        } else {
          append(tx, alarm, { at: e.at, actor: `edge:${e.edge}`, action: 'refused', detail })
        }
        insertAuditRow(tx, { at: e.at, actor: `edge:${e.edge}`, action: 'ingest_refused', target: point, outcome: 'refused', detail: { ...detail, alarm } })
        planInTx(changes)
        return { alarm, raised: open === undefined }
      }, { behavior: 'immediate' })
      for (const c of changes) emit(c)
      return out
    },
  }
}
