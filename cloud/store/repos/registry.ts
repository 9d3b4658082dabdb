import type { Priority } from '../../../shared/rules/priority.ts'
import type { Registry } from '../../config.ts'

/** The config file's registry applied to the store, and who owns what (issue 13). */
export interface RegistryRepo {
  /** Makes the store's enterprises and registry fields of points equal to the registry. */
  applyRegistry(registry: Registry): Promise<{ points: number; enterprises: number; unregistered: number }>
  /** Who owns what (issue 13): the edge's registry binding and the edge each point and camera is bound to (null: none; absent: unknown). */
  ownershipFacts(edge: string, points: readonly string[], cameras: readonly string[]): Promise<OwnershipFacts>
  /** An edge sent what it does not own: a SECURITY alarm on `edge:{id}` (or a step on its open one) and an audit entry. */
  recordSecurityEvent(event: SecurityEvent): Promise<{ alarm: number; raised: boolean }>
}

/** An edge's registry entry (issue 13): its one site, its enterprise (null: the park), its own claim policy (null: the config's). */
export interface EdgeBinding {
  id: string
  site: string
  enterprise: string | null
  claim: 'strict' | 'open' | null
}

export interface Owner {
  edge: string | null
  enterprise: string | null
}

export interface OwnershipFacts {
  /** null: the edge is not in the registry. */
  edge: EdgeBinding | null
  /** Point id → the edge it is bound to (null: none yet) and its registry enterprise; a point not in the map is unknown. */
  points: Map<string, Owner>
  cameras: Map<string, Owner>
}

export interface SecurityEvent {
  edge: string
  /** The counted reason (cloud/metrics.ts RefusedReasons) and its stable error code. */
  reason: string
  code: string
  /** The refused point or camera ids. */
  items: readonly string[]
  at: number
  priority: Priority
}
