import { createHash, timingSafeEqual } from 'node:crypto'
import { Counter, Gauge, type Metric, Registry, collectDefaultMetrics } from 'prom-client'
import { ErrorCodes, ParklinkError } from './errors.ts'

/**
 * Prometheus metrics read from plain numbers at scrape time (issue 16): the code that counts keeps
 * mutating its own numbers (cloud/metrics.ts, edge status), and a collect callback copies them
 * into prom-client's objects only when /metrics is asked. Every metric is registered in the
 * registry given (never prom-client's global default registry).
 */
type Values = number | ReadonlyArray<readonly [Record<string, string>, number]>

interface Spec {
  name: string
  help: string
  labelNames?: readonly string[]
  read: () => Values | Promise<Values>
}

function apply(metric: { reset(): void }, values: Values, put: (labels: Record<string, string>, v: number) => void) {
  metric.reset()
  if (typeof values === 'number') put({}, values)
  else for (const [labels, v] of values) put(labels, v)
}

/** A monotonic count (Prometheus `counter`: dashboards take its rate). */
export function counterFrom(registry: Registry, spec: Spec): void {
  new Counter({
    name: spec.name,
    help: spec.help,
    labelNames: spec.labelNames ?? [],
    registers: [registry],
    async collect() {
      apply(this, await spec.read(), (labels, v) => this.inc(labels, Math.max(0, v)))
    },
  })
}

/** A value that goes up and down (Prometheus `gauge`). */
export function gaugeFrom(registry: Registry, spec: Spec): void {
  new Gauge({
    name: spec.name,
    help: spec.help,
    labelNames: spec.labelNames ?? [],
    registers: [registry],
    async collect() {
      apply(this, await spec.read(), (labels, v) => this.set(labels, v))
    },
  })
}

let processRegistry: Registry | null = null

/**
 * prom-client's process_* and nodejs_* metrics (CPU, memory, event loop, GC) added to
 * `registry`. They are made ONCE per process, in a registry of their own, and shared: each
 * collectDefaultMetrics call starts a GC observer and an event-loop monitor that are never
 * stopped, so one per cloud or agent started in a process (tests start many) would pile up.
 */
export function addProcessMetrics(registry: Registry): void {
  if (processRegistry === null) {
    processRegistry = new Registry()
    collectDefaultMetrics({ register: processRegistry })
  }
  // getMetricsAsArray returns the metric objects themselves (typed as their plain description).
  for (const metric of processRegistry.getMetricsAsArray()) registry.registerMetric(metric as unknown as Metric)
}

/** `{ reason: n, … }` as labelled values. */
export const byLabel = (label: string, counts: Readonly<Record<string, number>>) =>
  Object.entries(counts).map(([key, n]) => [{ [label]: key }, n] as const)

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest()

/**
 * Whether an Authorization header is `Bearer <token>` for the scrape token, in constant time
 * whatever the lengths (both sides hashed first). False without a token configured.
 */
export function bearerMatches(header: string | undefined, token: string | undefined): boolean {
  if (!token || !header) return false
  const m = /^Bearer (.+)$/i.exec(header.trim())
  return m !== null && timingSafeEqual(digest(m[1]!), digest(token))
}

/** The Prometheus text format's content type (version 0.0.4), as prom-client writes it. */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8'

/** The shortest scrape token accepted: it is a password a machine keeps. */
export const MIN_SCRAPE_TOKEN = 24

/**
 * The scrape token from the environment variable `name` (the config key `key` names it; the
 * token itself is never in a config file or on a command line). Unset or shorter than
 * MIN_SCRAPE_TOKEN is a config error: the process does not start. Undefined without a name.
 */
export function scrapeTokenFrom(
  name: string | undefined,
  key: string,
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  if (name === undefined) return undefined
  const value = env[name]
  if (value === undefined || value === '')
    throw new ParklinkError(
      ErrorCodes.CONFIG_INVALID,
      `${key} names ${name}, but that environment variable is not set`,
      {
        hint: `set ${name} (for systemd: in the service's environment file) or remove ${key}`,
      },
    )
  if (value.length < MIN_SCRAPE_TOKEN)
    throw new ParklinkError(
      ErrorCodes.CONFIG_INVALID,
      `the scrape token in ${name} is too short (${value.length} characters)`,
      {
        hint: `use at least ${MIN_SCRAPE_TOKEN} random characters, e.g. openssl rand -base64 32`,
      },
    )
  return value
}
