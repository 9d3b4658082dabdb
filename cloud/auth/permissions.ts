import type { Role } from './roles.ts'

/**
 * THE access-control table: every route of the API → the permission it needs → the roles that
 * hold it. Deny by default: a route without an entry is refused for everyone (403), and the
 * route-inventory test (cloud/api/inventory.test.ts) fails until it gets one — a route added
 * later cannot be open by accident.
 *
 * `public`: no identity needed. Only /health (a load balancer or systemd watchdog probes it
 * without credentials; to them it says only ok/degraded and the database and broker state) and
 * the routes that establish an identity (login, refresh, password change — they check
 * credentials themselves).
 * `authenticated`: any identity (who am I, log out).
 */
const PARK: Role[] = ['park_admin', 'park_operator']
const ENTERPRISE: Role[] = ['enterprise_admin', 'enterprise_user']

export const PERMISSIONS = {
  'edges:read': [...PARK, 'technician', 'auditor'],
  /** Ask an edge now (ping, status, read a point): the center and the technicians. Never a write. */
  'edges:command': [...PARK, 'technician'],
  'points:read': [...PARK, ...ENTERPRISE, 'technician', 'auditor'],
  'alarms:read': [...PARK, ...ENTERPRISE, 'auditor'],
  /** Cameras (registry and health): an enterprise sees its own. */
  'cameras:read': [...PARK, ...ENTERPRISE, 'technician', 'auditor'],
  /** The park's workflow: acknowledge, triage, close (the monitoring center). */
  'alarms:handle': [...PARK],
  /** The enterprise reports cause and measures; the center may record a report taken by phone. */
  'alarms:feedback': [...PARK, ...ENTERPRISE],
  /** Pictures asked from the cameras of an area for an alarm being triaged: the center. */
  'alarms:snapshot': [...PARK],
  /** ISA-18.2 shelving and out of service: the center's decision. */
  'alarms:suppress': [...PARK],
  'windows:read': [...PARK, ...ENTERPRISE, 'auditor'],
  'windows:request': ['park_admin', ...ENTERPRISE],
  'windows:decide': ['park_admin'],
  'windows:cancel': ['park_admin', ...ENTERPRISE],
  'users:manage': ['security_admin'],
  'keys:manage': ['security_admin'],
  'audit:read': ['auditor'],
  /** System administration: enterprises, hazard sources, areas, points and their thresholds. */
  'registry:manage': ['park_admin'],
  /** Reports (issue 18): the park's documents, every enterprise in them: the center and the auditor read, the center makes them. */
  'reports:read': [...PARK, 'auditor'],
  'reports:run': [...PARK],
  /** The provincial exchange's state (issue 18): the park's, read by the center, its admin and the auditor. */
  'exchange:read': [...PARK, 'auditor'],
  /**
   * The operations view (issue 16): GET /metrics (cloud/api/metrics.ts, outside /api/v1): the
   * system administrator and the technicians who keep the edges running. Prometheus scrapes with
   * the scrape token (metrics.tokenEnv) instead, which opens nothing else.
   */
  'metrics:read': ['park_admin', 'technician'],
} as const satisfies Record<string, readonly Role[]>
export type Permission = keyof typeof PERMISSIONS

export type Access = Permission | 'public' | 'authenticated'

/** `METHOD /full/path` exactly as Hono registers it (app.routes). */
export const ROUTE_ACCESS: Record<string, Access> = {
  'GET /api/v1/health': 'public',
  /** The API's description (OpenAPI document and its HTML page): routes and schemas, no data. */
  'GET /api/v1/openapi.json': 'public',
  'GET /api/v1/docs': 'public',
  'POST /api/v1/auth/login': 'public',
  'POST /api/v1/auth/refresh': 'public',
  'POST /api/v1/auth/password': 'public',
  'POST /api/v1/auth/logout': 'authenticated',
  'GET /api/v1/auth/me': 'authenticated',

  'GET /api/v1/edges': 'edges:read',
  'POST /api/v1/edges/:id/commands': 'edges:command',
  /** The park pushes an edge its config (issue 19): the park admin only. */
  'POST /api/v1/edges/:id/config': 'registry:manage',
  'GET /api/v1/points': 'points:read',
  'GET /api/v1/points/:id': 'points:read',
  'GET /api/v1/points/:id/history': 'points:read',
  /** Data the edges dropped (completeness), per edge: the park's view, like the edges. */
  'GET /api/v1/gaps': 'edges:read',
  'GET /api/v1/completeness': 'points:read',

  'GET /api/v1/cameras': 'cameras:read',
  'GET /api/v1/cameras/offline': 'cameras:read',
  /** A viewer token for the edge's live view: who sees a camera's alarms (and pictures) may watch it. */
  'POST /api/v1/cameras/:id/live-token': 'alarms:read',
  'GET /api/v1/alarms/:id/snapshots': 'alarms:read',
  'POST /api/v1/alarms/:id/snapshots': 'alarms:snapshot',
  'GET /api/v1/snapshots/:id': 'alarms:read',

  'GET /api/v1/alarms': 'alarms:read',
  'GET /api/v1/alarms/stream': 'alarms:read',
  'GET /api/v1/alarms/:id': 'alarms:read',
  'GET /api/v1/alarms/:id/timeline': 'alarms:read',
  'GET /api/v1/alarms/:id/notifications': 'alarms:read',
  'GET /api/v1/board': 'alarms:read',
  'GET /api/v1/kpi/alarms': 'alarms:read',
  /** The park's KPI model (issue 17): scoped like the alarms it counts. */
  'GET /api/v1/kpi/park': 'alarms:read',
  /** The wall display's summary (issue 17): scoped like the alarms it counts. */
  'GET /api/v1/wall': 'alarms:read',
  /** The park plan image the wall draws over (issue 17): read by who sees the wall, uploaded by the park admin. */
  'GET /api/v1/plan/image': 'alarms:read',
  'PUT /api/v1/plan/image': 'registry:manage',
  'POST /api/v1/alarms/close': 'alarms:handle',
  'POST /api/v1/alarms/:id/ack': 'alarms:handle',
  'POST /api/v1/alarms/:id/triage': 'alarms:handle',
  'POST /api/v1/alarms/:id/close': 'alarms:handle',
  'POST /api/v1/alarms/:id/feedback': 'alarms:feedback',
  'POST /api/v1/alarms/:id/shelve': 'alarms:suppress',
  'POST /api/v1/alarms/:id/unshelve': 'alarms:suppress',
  'POST /api/v1/alarms/:id/out-of-service': 'alarms:suppress',
  'POST /api/v1/alarms/:id/in-service': 'alarms:suppress',

  'GET /api/v1/maintenance-windows': 'windows:read',
  'GET /api/v1/maintenance-windows/:id': 'windows:read',
  'POST /api/v1/maintenance-windows': 'windows:request',
  'POST /api/v1/maintenance-windows/:id/approve': 'windows:decide',
  'POST /api/v1/maintenance-windows/:id/reject': 'windows:decide',
  'POST /api/v1/maintenance-windows/:id/cancel': 'windows:cancel',
  /** Gas-leak warnings (issue 18): read like alarms; the center acknowledges and clears; the enterprise files the investigation report. */
  'GET /api/v1/gas-warnings': 'alarms:read',
  'GET /api/v1/gas-warnings/:id': 'alarms:read',
  'GET /api/v1/gas-warnings/:id/deliveries': 'alarms:read',
  'POST /api/v1/gas-warnings/:id/ack': 'alarms:handle',
  'POST /api/v1/gas-warnings/:id/report': 'alarms:feedback',
  'POST /api/v1/gas-warnings/:id/clear': 'alarms:handle',

  'GET /api/v1/users': 'users:manage',
  'POST /api/v1/users': 'users:manage',
  'POST /api/v1/users/:id/unlock': 'users:manage',
  'POST /api/v1/users/:id/disable': 'users:manage',
  'POST /api/v1/users/:id/enable': 'users:manage',
  'POST /api/v1/users/:id/password': 'users:manage',
  'GET /api/v1/api-keys': 'keys:manage',
  'POST /api/v1/api-keys': 'keys:manage',
  'POST /api/v1/api-keys/:id/revoke': 'keys:manage',

  'GET /api/v1/audit': 'audit:read',

  /** The registry (cloud/api/routes/registry.ts): reads scoped like every read, writes the park admin's. */
  'GET /api/v1/registry/enterprises': 'points:read',
  'POST /api/v1/registry/enterprises': 'registry:manage',
  'PATCH /api/v1/registry/enterprises/:id': 'registry:manage',
  'DELETE /api/v1/registry/enterprises/:id': 'registry:manage',
  'GET /api/v1/registry/hazard-sources': 'points:read',
  'POST /api/v1/registry/hazard-sources': 'registry:manage',
  'PATCH /api/v1/registry/hazard-sources/:id': 'registry:manage',
  'DELETE /api/v1/registry/hazard-sources/:id': 'registry:manage',
  'GET /api/v1/registry/areas': 'points:read',
  'POST /api/v1/registry/areas': 'registry:manage',
  'PATCH /api/v1/registry/areas/:id': 'registry:manage',
  'DELETE /api/v1/registry/areas/:id': 'registry:manage',
  'GET /api/v1/registry/points': 'points:read',
  'GET /api/v1/registry/points/export': 'points:read',
  'POST /api/v1/registry/points/import': 'registry:manage',
  'GET /api/v1/registry/points/:id': 'points:read',
  'PATCH /api/v1/registry/points/:id': 'registry:manage',
  'DELETE /api/v1/registry/points/:id': 'registry:manage',
  /** Issue 13: edges bound to a site and an enterprise; points and cameras moved between edges. */
  'GET /api/v1/registry/edges': 'points:read',
  'POST /api/v1/registry/edges': 'registry:manage',
  'PATCH /api/v1/registry/edges/:id': 'registry:manage',
  'DELETE /api/v1/registry/edges/:id': 'registry:manage',
  'PUT /api/v1/registry/points/:id/edge': 'registry:manage',
  /** Issue 18: monitoring devices (provincial exchange #152/#153/#156 device fields). */
  'GET /api/v1/registry/devices': 'points:read',
  'POST /api/v1/registry/devices': 'registry:manage',
  'PATCH /api/v1/registry/devices/:id': 'registry:manage',
  'DELETE /api/v1/registry/devices/:id': 'registry:manage',
  'PUT /api/v1/registry/cameras/:id/edge': 'registry:manage',
  /** Issue 17: a camera's place on the park plan. */
  'PUT /api/v1/registry/cameras/:id/position': 'registry:manage',

  'GET /api/v1/reports/definitions': 'reports:read',
  'GET /api/v1/reports': 'reports:read',
  'GET /api/v1/reports/:id': 'reports:read',
  'GET /api/v1/reports/:id/:format': 'reports:read',
  'POST /api/v1/reports/run': 'reports:run',

  'GET /api/v1/exchange/status': 'exchange:read',
}

export const accessOf = (method: string, path: string): Access | undefined => ROUTE_ACCESS[`${method} ${path}`]

/** Whether a role may use a route with this access (false for a route without an entry). */
export function allows(access: Access | undefined, role: Role | null): boolean {
  if (access === undefined) return false
  if (access === 'public') return true
  if (role === null) return false
  if (access === 'authenticated') return true
  return (PERMISSIONS[access] as readonly Role[]).includes(role)
}
