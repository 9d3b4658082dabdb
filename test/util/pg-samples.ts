import { and, eq } from 'drizzle-orm'
import type { PgDb } from '../../cloud/store/postgres/db.ts'
import { sampleChunks } from '../../cloud/store/postgres/schema.ts'
import { flipMiddleByte } from './damage.ts'

/** Flips one byte in the middle of a point's chunk of the hour starting at `hour`, as a bad sector would. */
export async function damagePgChunk(db: PgDb, point: string, hour: number): Promise<void> {
  const where = and(eq(sampleChunks.point, point), eq(sampleChunks.hour, hour))
  const [row] = await db.select({ id: sampleChunks.id, data: sampleChunks.data }).from(sampleChunks).where(where)
  if (!row) throw new Error(`no chunk of ${point} at ${hour}`)
  await db
    .update(sampleChunks)
    .set({ data: flipMiddleByte(row.data) })
    .where(and(where, eq(sampleChunks.id, row.id)))
}
