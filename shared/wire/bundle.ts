import { z } from 'zod'
import { ChatterConfig } from '../rules/chatter.ts'
import { PointClass, PriorityMatrix } from '../rules/priority.ts'
import { RateConfig } from '../rules/rate.ts'
import { ThresholdLimits } from '../rules/threshold.ts'
import { PointId, TopicId } from './ids.ts'

/**
 * The park's configuration bundle for one edge (issue 19): the edge's config file and the alarm
 * rules of the points it owns, generated from the cloud registry, signed by the park and sent
 * over the command channel (`config.push`, shared/wire/command.ts).
 *
 * The signature covers the exact bytes of `SignedBundle.bundle` (a JSON text), not a re-encoding:
 * nothing needs a canonical form. It is the bundle's own signature, independent of any signing of
 * MQTT messages: a bundle stays verifiable when it is stored (the edge keeps the last good one).
 */

/** A point's rules beside its limits (shared/rules/evaluate.ts PointRules). */
export const PointRulesSchema = z.strictObject({
  onDelayMs: z.number().int().nonnegative().max(3_600_000).optional(),
  offDelayMs: z.number().int().nonnegative().max(3_600_000).optional(),
  roc: RateConfig.optional(),
  digital: z.strictObject({ alarmOn: z.boolean() }).optional(),
})

/**
 * One point's full rule set, as the cloud evaluates it: limits with deadband (gas defaults filled
 * in), on/off delays, rate of change, digital state. Written into the edge config's
 * `alarms.points` (edge/alarms/local.ts), so a hand-written entry with limits only still parses.
 */
export const EdgeRule = z.strictObject({
  id: PointId,
  class: PointClass.default('general'),
  limits: ThresholdLimits.nullable().default(null),
  rules: PointRulesSchema.optional(),
})
export type EdgeRule = z.infer<typeof EdgeRule>

export const EdgeRuleSet = z.strictObject({
  points: z.array(EdgeRule).max(100_000),
  priorities: PriorityMatrix.optional(),
  chatter: ChatterConfig.optional(),
})
export type EdgeRuleSet = z.infer<typeof EdgeRuleSet>

/** Most bytes of an edge config file a bundle carries. */
export const MAX_CONFIG_YAML = 512 * 1024

export const ConfigBundle = z.strictObject({
  v: z.literal(1),
  edge: TopicId,
  /** When the park issued it (epoch ms), strictly increasing per edge: an older bundle is refused. */
  issuedAt: z.number().int().positive(),
  /** The edge's config file, as it will be written. */
  configYaml: z.string().min(1).max(MAX_CONFIG_YAML),
  rules: EdgeRuleSet,
})
export type ConfigBundle = z.infer<typeof ConfigBundle>

/** SM2 with SM3 (GB/T 32918, GB/T 32905; the default) or Ed25519 (RFC 8032). */
export const BundleAlgorithm = z.enum(['sm2-sm3', 'ed25519'])
export type BundleAlgorithm = z.infer<typeof BundleAlgorithm>

export const SignedBundle = z.strictObject({
  /** The ConfigBundle as JSON text: the signed bytes (UTF-8). */
  bundle: z
    .string()
    .min(2)
    .max(4 * MAX_CONFIG_YAML),
  alg: BundleAlgorithm,
  /** Base64 of the signature (SM2: DER; Ed25519: 64 bytes). */
  signature: z
    .string()
    .min(1)
    .max(512)
    .regex(/^[A-Za-z0-9+/]+=*$/, 'base64'),
})
export type SignedBundle = z.infer<typeof SignedBundle>

/** What the edge answers to a push (its error, if refused, rides in the command response's `error`). */
export const BundleOutcome = z.enum(['applied', 'unchanged', 'refused', 'invalid', 'rolled-back'])
export type BundleOutcome = z.infer<typeof BundleOutcome>
