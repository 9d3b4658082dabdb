import type { OwnedPointFacts } from '../alarms/engine/edge-rules.ts'
import type { BundleAnswer } from './repos/bundles.ts'

/**
 * The config bundles' row rules, engine-neutral (cloud/store/sqlite/bundles.ts,
 * cloud/store/postgres/bundles.ts; issue 19).
 */

/** The outcomes after which the edge runs the pushed bundle: its hash is the one the park expects from then on. */
const ACCEPTED = new Set(['applied', 'unchanged'])

/** A push replaces the edge's last one whole: its answer is still to come. */
export const pushColumns = (p: { issuedAt: number; configYaml: string; at: number; by: string }) => ({
  issuedAt: p.issuedAt,
  configYaml: p.configYaml,
  pushedAt: p.at,
  pushedBy: p.by,
  outcome: null,
  error: null,
  answeredAt: null,
})

/** What an answer writes on the push it answers (the expected hash only when the edge accepted it). */
export function answerColumns(issuedAt: number, a: BundleAnswer) {
  const accepted = ACCEPTED.has(a.outcome) && a.configHash !== null
  return {
    outcome: a.outcome,
    error: a.error,
    answeredAt: a.at,
    ...(accepted ? { expectedHash: a.configHash, acceptedIssuedAt: issuedAt } : {}),
  }
}

export const toOwnedPoint = (r: Omit<OwnedPointFacts, 'class'> & { class: string | null }): OwnedPointFacts => ({
  ...r,
  class: r.class as OwnedPointFacts['class'],
})
