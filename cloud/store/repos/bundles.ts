import type { OwnedPointFacts } from '../../alarms/engine/edge-rules.ts'

/** The park's config bundles per edge (issue 19; cloud/api/routes/edge-config.ts). */
export interface BundleRepo {
  /** The registry facts of the points bound to this edge (points.edge), for its rules. */
  edgeRulePoints(edge: string): Promise<OwnedPointFacts[]>
  bundleStates(): Promise<BundleState[]>
  recordBundlePush(edge: string, push: { issuedAt: number; configYaml: string; at: number; by: string }): Promise<void>
  /** The edge's answer to the push issued at `issuedAt` (a late answer to an older push changes nothing). */
  recordBundleAnswer(edge: string, issuedAt: number, answer: BundleAnswer): Promise<void>
}

export interface BundleAnswer {
  outcome: string
  /** The hash the edge runs after the push (accepted: the one the park expects from now on). */
  configHash: string | null
  error: { code: string; message: string } | null
  at: number
}

export interface BundleState {
  edge: string
  issuedAt: number
  configYaml: string
  pushedAt: number
  pushedBy: string
  outcome: string | null
  error: { code: string; message: string } | null
  answeredAt: number | null
  expectedHash: string | null
  acceptedIssuedAt: number | null
}
