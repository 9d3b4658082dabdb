import type { Scope } from '../auth/roles.ts'
import type { PlacedAt, Placement } from '../registry/placement.ts'
import type {
  Area,
  Device,
  EdgeEntry,
  Enterprise,
  HazardSource,
  PointCreate,
  PointPatch,
  RegistryPoint,
} from '../registry/model.ts'

/** A change as the audit log records it: the record before (null: created) and after (null: deleted). */
export interface Change<T> {
  before: T | null
  after: T | null
}
export type EntryKind = 'enterprises' | 'hazardSources' | 'areas' | 'edges' | 'devices'
export type Entry = Enterprise | HazardSource | Area | EdgeEntry | Device
/** Which edge may send a point or a camera (issue 13). */
export interface Binding {
  id: string
  edge: string | null
}

/**
 * The registry in the database (the API's view). Reads are scoped in SQL; writes are the park
 * admin's (unscoped). Every write marks what it touches as `managed`, so the config file's
 * registry no longer overwrites it at start. A point's thresholds are its alarm limits
 * (`points.limits`): the alarm engine reads them at the next sample.
 */
export interface RegistryStore {
  list(kind: EntryKind, scope: Scope): Promise<Entry[]>
  /** Creates (409 if the id exists) the entry. */
  create(kind: EntryKind, entry: Entry): Promise<Entry>
  /** null: no such entry. */
  update(kind: EntryKind, id: string, patch: Record<string, unknown>): Promise<Change<Entry> | null>
  /** null: no such entry; 409 while points or other entries refer to it. */
  remove(kind: EntryKind, id: string): Promise<Change<Entry> | null>
  listPoints(scope: Scope): Promise<RegistryPoint[]>
  getPoint(id: string, scope: Scope): Promise<RegistryPoint | null>
  /** null: no such point. */
  patchPoint(id: string, patch: PointPatch): Promise<Change<RegistryPoint> | null>
  /** Removes a point from the registry (it stays as an edge-announced point without limits). */
  unregisterPoint(id: string): Promise<Change<RegistryPoint> | null>
  /** Binds a point to the edge that may send it (null: unbound). null: no such point; 409 when the edge's registered enterprise is not the point's. */
  movePoint(id: string, edge: string | null): Promise<Change<Binding> | null>
  /** Places a camera on the park plan (x/y, lon/lat; null clears). null: no such camera. */
  placeCamera(id: string, placement: Placement): Promise<Change<{ id: string } & PlacedAt> | null>
  /** Binds a camera to the edge that may send it. null: no such camera; 409 as movePoint. */
  moveCamera(id: string, edge: string): Promise<Change<Binding> | null>
  /** All or nothing, in one transaction: the changes made (points whose record did not change are left out). */
  importPoints(
    list: readonly PointCreate[],
    options: { dryRun: boolean },
  ): Promise<Array<Change<RegistryPoint> & { id: string }>>
}
