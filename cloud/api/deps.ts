import type { Logger } from 'pino'
import type { Clock } from '../../shared/clock.ts'
import type { CloudMetrics } from '../metrics.ts'
import type { Store } from '../store/store.ts'
import type { AuthService } from '../auth/service.ts'
import type { createAccounts } from '../auth/accounts.ts'

export interface ApiDeps {
  store: Store
  clock: Clock
  metrics: CloudMetrics
  log: Logger
  /** Logins, sessions, identities (cloud/auth/service.ts). */
  auth: AuthService
  /** Account administration (users, API keys). */
  accounts: ReturnType<typeof createAccounts>
  /** An edge not heard from for longer is reported offline (default 60 s). */
  edgeOfflineAfterMs?: number
  /** Live alarm changes for the SSE stream (absent: no stream). */
  alarmFeed?: import('../alarms/feed.ts').AlarmFeed
  /** Shift handovers for the board (default 08:00 and 20:00 at +08:00). */
  board?: { shiftChanges: string[]; utcOffset: string }
  /** Sends a snapshot request to an edge (cmd channel); false when it could not be sent (MQTT down). Absent: no requests. */
  requestSnapshots?: (site: string, request: import('../../shared/wire/camera.ts').SnapshotRequest) => boolean
  /** Sends a command to an edge and waits for its answer (cmd/resp channel); null when MQTT is down. Absent: no commands. */
  commandEdge?: (
    site: string,
    edge: string,
    cmd: import('../../shared/wire/command.ts').CommandBody,
    timeoutMs: number,
  ) => Promise<import('../../shared/wire/command.ts').CommandResponse> | null
  /**
   * The park's config bundles (issue 19): its signing key (cloud config bundles.signingKeyFile)
   * and the alarm settings the edges' rules carry. Absent: pushes are refused.
   */
  bundles?: {
    signer: { key: import('node:crypto').KeyObject; alg: import('../../shared/wire/bundle.ts').BundleAlgorithm }
    priorities: import('../../shared/rules/priority.ts').PriorityMatrix
    chatter: import('../../shared/rules/chatter.ts').ChatterConfig
  }
  /** Signs a live-view viewer token for one camera (cloud/auth/live-key.ts). Absent: no live view tokens. */
  liveTokens?: (camera: string, subject: string, now: number) => Promise<{ token: string; expiresAt: number }>
  /** The edges' live origins the dashboard may open (`live:` in the cloud config; cloud/api/live-view.ts): CSP connect-src. Absent: none. */
  live?: import('./live-view.ts').LiveViewConfig
  /** Trusted reverse proxies and stream limits (`http:` in the cloud config; default: none trusted, cloud/api/config.ts's limits). */
  http?: Pick<import('./config.ts').HttpConfig, 'trustedProxies' | 'streams'>
  /** The ingest's ownership cache (issue 13): dropped when the registry API changes an edge entry or moves a point or camera. Absent: no ingest in this process. */
  ownership?: { invalidate(): void }
  /** Report generation (cloud/reports/); absent: the report routes list stored reports only. */
  reports?: import('../reports/generate.ts').ReportRunner
  /** Gas-leak warnings (cloud/alarms/gas/service.ts): people's steps on them. Absent: the routes answer reads only. */
  gasWarnings?: import('../alarms/gas/service.ts').GasWarnings
  /** The provincial exchange (cloud/exchange/); absent: its status route says it is not set up. */
  exchange?: Pick<import('../exchange/service.ts').Exchange, 'status'>
  /** GET /metrics (issue 16, cloud/api/metrics.ts): this process's Prometheus registry; absent: no /metrics. */
  prometheus?: import('./metrics.ts').MetricsEndpoint
  /** Reported by /health (default: package.json's version). */
  version?: string
}
