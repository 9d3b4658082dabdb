import { and, desc, eq, inArray, isNull } from 'drizzle-orm'
import { edgeAlarmPoint, securityDetail, securityWrite } from '../../alarms/engine/system.ts'
import type { AlarmChange } from '../../alarms/model.ts'
import type { Owner, OwnershipFacts, SecurityEvent } from '../repos/registry.ts'
import { saveAlarm } from './alarm-writes.ts'
import { appendAudit } from './audit-chain.ts'
import type { PgDb } from './db.ts'
import { alarms, cameras, points, registryEdges } from './schema.ts'
import { lock, LOCKS, type PgTx } from './tx.ts'

const CHUNK = 500

/** Point or camera id → its bound edge and registry enterprise (ids not in the map are unknown). */
async function owners(db: PgDb, table: typeof points | typeof cameras, ids: readonly string[]) {
  const out = new Map<string, Owner>()
  for (let i = 0; i < ids.length; i += CHUNK) {
    const rows = await db
      .select({ id: table.id, edge: table.edge, enterprise: table.enterprise })
      .from(table)
      .where(inArray(table.id, ids.slice(i, i + CHUNK)))
    for (const r of rows) out.set(r.id, { edge: r.edge, enterprise: r.enterprise })
  }
  return out
}

/** What the ingest's ownership decision reads (cloud/ingest/ownership.ts, issue 13). */
export async function ownershipFacts(
  db: PgDb,
  edge: string,
  pointIds: readonly string[],
  cameraIds: readonly string[],
): Promise<OwnershipFacts> {
  const [binding] = await db.select().from(registryEdges).where(eq(registryEdges.id, edge))
  return {
    edge: binding ? { id: binding.id, site: binding.site, enterprise: binding.enterprise, claim: binding.claim } : null,
    points: await owners(db, points, pointIds),
    cameras: await owners(db, cameras, cameraIds),
  }
}

/** Writes, inside the caller's transaction, the pushes its alarm changes call for (the delivery ledger's, issue 14). */
export type PgPlanInTx = (tx: PgTx, changes: readonly AlarmChange[]) => Promise<void>

/**
 * An edge sent what it does not own (issue 13): one SECURITY alarm per edge until a person
 * closes it (raised and recovered at once; later refusals join its timeline), and an audit
 * entry, in one transaction. The audit chain's lock is taken first: it is needed for the audit
 * row anyway, and it serializes two events of one edge, which would otherwise both find no
 * open alarm and raise two. Changes are told after the commit.
 */
export async function recordSecurityEvent(
  db: PgDb,
  e: SecurityEvent,
  o: { emit: (change: AlarmChange) => void; planInTx: PgPlanInTx },
): Promise<{ alarm: number; raised: boolean }> {
  const point = edgeAlarmPoint(e.edge)
  const changes: AlarmChange[] = []
  const out = await db.transaction(async (tx) => {
    await lock(tx, LOCKS.auditChain)
    const [open] = await tx
      .select({ id: alarms.id })
      .from(alarms)
      .where(and(eq(alarms.point, point), eq(alarms.kind, 'SECURITY'), isNull(alarms.closedAt)))
      .orderBy(desc(alarms.id))
      .limit(1)
    const alarm = (await saveAlarm(tx, securityWrite(e, open?.id ?? null), changes))!
    await appendAudit(tx, {
      at: e.at,
      actor: `edge:${e.edge}`,
      action: 'ingest_refused',
      target: point,
      outcome: 'refused',
      before: null,
      after: null,
      detail: { ...securityDetail(e), alarm },
    })
    await o.planInTx(tx, changes)
    return { alarm, raised: open === undefined }
  })
  for (const c of changes) o.emit(c)
  return out
}
