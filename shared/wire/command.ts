import { z } from 'zod'
import { PointId, TopicId } from './ids.ts'
import { Sample } from './sample.ts'
import { GapRecord } from './gap.ts'
import { DriverReport, OutboxReport, WIRE_VERSION } from './messages.ts'
import { BundleOutcome, SignedBundle } from './bundle.ts'
import { RegistryHint } from './registry-hint.ts'

/**
 * The command channel, cloud → edge and back:
 * - parklink/v1/{site}/{edge}/cmd  (cloud → edge, QoS 1, not retained: a command is for now)
 * - parklink/v1/{site}/{edge}/resp (edge → cloud, QoS 1), the answer, with the command's id.
 *
 * ping: is the edge there. resend: publish the batches [fromSeq, toSeq] again (the cloud saw a
 * hole); what the edge no longer holds is answered with its gap records, what the cloud already
 * acked is counted. status: outbox depth, drivers and uplink state now. snapshot: the named
 * cameras of the edge take a picture for one of the park's alarms; the pictures come back as
 * camera events through the outbox (shared/wire/camera.ts), carrying the command's id.
 * read: read one point now, out of its schedule (an operator doubts a value); the sample is
 * answered and also goes through the outbox like any other reading.
 * config.push: the park's signed configuration bundle (shared/wire/bundle.ts); the edge checks
 * and applies it with rollback, and answers with the outcome and the config hash it runs then
 * (on refusal: ok false, the reason in `error`, the running hash in `result`).
 * registry.hint: which point ids the edge must not claim (shared/wire/registry-hint.ts); sent
 * after each birth and registry change, kept by the edge, answered with an empty ok.
 */
const Seq = z.number().int().positive()

export const CommandBody = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('ping') }),
  z
    .strictObject({ type: z.literal('resend'), fromSeq: Seq, toSeq: Seq })
    .refine((c) => c.fromSeq <= c.toSeq, { message: 'fromSeq must not exceed toSeq', path: ['toSeq'] }),
  z.strictObject({ type: z.literal('status') }),
  z.strictObject({
    type: z.literal('snapshot'),
    alarm: z.number().int().positive(),
    cameras: z.array(TopicId).min(1).max(64),
  }),
  z.strictObject({ type: z.literal('read'), point: PointId }),
  z.strictObject({ type: z.literal('config.push'), bundle: SignedBundle }),
  z.strictObject({ type: z.literal('registry.hint'), hint: RegistryHint }),
])
export type CommandBody = z.infer<typeof CommandBody>

export const Command = z.object({
  v: z.literal(WIRE_VERSION),
  /** Chosen by the sender; the response carries it back. */
  id: z.string().min(1).max(64),
  edge: TopicId,
  ts: z.number().int(),
  cmd: CommandBody,
})
export type Command = z.infer<typeof Command>

export const CommandResult = z.discriminatedUnion('type', [
  z.object({ type: z.literal('pong'), session: z.string().max(64) }),
  z.object({
    type: z.literal('resend'),
    /** Seqs published again (held by the outbox). */
    resent: z.array(Seq).max(100_000),
    /** Seqs of the range the edge holds but has not sent yet on this connection: they follow through its send window. */
    queued: z.number().int().nonnegative().optional(),
    /** How many seqs of the range the cloud had already acked. */
    alreadyAcked: z.number().int().nonnegative(),
    /** What the edge dropped from the range: the answer for seqs it no longer holds. */
    gaps: z.array(GapRecord).max(1_000),
  }),
  z.object({
    type: z.literal('status'),
    session: z.string().max(64),
    outbox: OutboxReport,
    lastSeq: z.number().int().nonnegative(),
    ackedThrough: z.number().int().nonnegative(),
    drivers: z.array(DriverReport),
  }),
  /** The cameras that will take a picture (the pictures follow through the outbox). */
  z.object({ type: z.literal('snapshot'), cameras: z.array(TopicId).max(64) }),
  /** The point read now (bad with a reason when the device did not answer). */
  z.object({ type: z.literal('read'), sample: Sample }),
  /** The push's outcome and the config hash the edge runs now (the previous one when refused or rolled back). */
  z.object({
    type: z.literal('config.push'),
    outcome: BundleOutcome,
    configHash: z.string().max(128),
    issuedAt: z.number().int().nonnegative(),
  }),
  /** The registry hint is kept (how many own and foreign ids it holds). */
  z.object({
    type: z.literal('registry.hint'),
    own: z.number().int().nonnegative(),
    foreign: z.number().int().nonnegative(),
  }),
])
export type CommandResult = z.infer<typeof CommandResult>

export const CommandResponse = z.object({
  v: z.literal(WIRE_VERSION),
  id: z.string().min(1).max(64),
  edge: TopicId,
  ts: z.number().int(),
  ok: z.boolean(),
  result: CommandResult.optional(),
  error: z.object({ code: z.string().max(64), message: z.string().max(1024) }).optional(),
})
export type CommandResponse = z.infer<typeof CommandResponse>
