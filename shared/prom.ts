import { createHash, timingSafeEqual } from 'node:crypto'
import { Counter, Gauge, type Registry } from 'prom-client'

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
