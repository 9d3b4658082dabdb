import type { Scope } from '../../auth/roles.ts'

/** Cameras and their snapshots (the JPEGs beside the database). */
export interface CameraRepo {
  /** Cameras (registry entries from births, online state from their status events). */
  listCameras(scope: Scope): Promise<CameraRecord[]>
  /** Snapshots linked to an alarm, oldest first; null for an unknown alarm. */
  alarmSnapshots(alarm: number, scope: Scope): Promise<SnapshotRecord[] | null>
  /** A snapshot's metadata and its JPEG; null when unknown or its file is gone. */
  getSnapshot(id: string, scope: Scope): Promise<{ snapshot: SnapshotRecord; body: Buffer } | null>
  /** Each camera's newest snapshot (any reason it was taken), for the cameras page. */
  latestSnapshots(scope: Scope): Promise<Array<{ camera: string; id: string; ts: number }>>
  /**
   * The cameras' online/offline transitions (status events) in [from, to), each camera's last
   * one before `from` included (its state when the period began), oldest first per camera.
   */
  cameraStatusHistory(range: { from: number; to: number }, scope: Scope): Promise<CameraStatusEvent[]>
}

export interface CameraStatusEvent {
  camera: string
  ts: number
  online: boolean
}

export interface CameraRecord {
  id: string
  edge: string
  site: string
  name: string | null
  area: string
  enterprise: string | null
  host: string
  port: number
  /** From the edge's health check; null before the first status event. */
  online: boolean | null
  /** When `online` last changed (the edge's time). */
  since: number | null
  reason: string | null
  lastEventAt: number | null
  /** On the park plan (registry API; cloud/registry/placement.ts): only the fields that are set. */
  x?: number
  y?: number
  lon?: number
  lat?: number
}

export interface SnapshotRecord {
  id: string
  camera: string
  event: string
  alarm: number | null
  ts: number
  bytes: number
  sha256: string
  receivedAt: number
}
