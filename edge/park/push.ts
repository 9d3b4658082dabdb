import { readFileSync } from 'node:fs'
import type { Logger } from 'pino'
import { ErrorCodes, errorMessage, type ErrorCode } from '../../shared/errors.ts'
import type { SignedBundle } from '../../shared/wire/bundle.ts'
import { verifyingKeyOf } from '../../shared/wire/bundle-signature.ts'
import type { Command, CommandResponse } from '../../shared/wire/command.ts'
import { WIRE_VERSION } from '../../shared/wire/messages.ts'
import type { EdgeConfig } from '../config.ts'
import { checkBundle } from './check.ts'
import { readLastGood, writeLastGood } from './last-good.ts'
import { edgeNamedIn, withParkRules } from './merge.ts'

/** The supervisor's apply outcome (edge/supervisor.ts ApplyResult), as far as a push needs it. */
export type ApplyOutcome =
  | { outcome: 'unchanged' | 'applied'; error?: undefined }
  | { outcome: 'invalid' | 'rolled-back'; error: string }

/** What the push handler needs of the supervisor (edge/supervisor.ts). */
export interface PushTarget {
  config(): EdgeConfig
  configHash(): string
  /** The validate-apply-rollback path with a new config text. */
  applyText(text: string): Promise<ApplyOutcome>
  /** Answers through the agent that runs now (the new one, or the previous one after a rollback). */
  respond(response: CommandResponse): void
  now(): number
  log: Logger
}

/**
 * The park's `config.push` (issue 19): the bundle is checked (signature, edge, newer), its rules
 * written into its config text (merge.ts), and the result applied through the supervisor's
 * validate-apply-rollback path; the answer carries the outcome and the config hash running then.
 * An applied (or already running) bundle is kept as the last good one. Every refusal is answered
 * with its code and logged; the running config is untouched by any of them.
 */
export async function handleConfigPush(command: Command, target: PushTarget): Promise<void> {
  if (command.cmd.type !== 'config.push') return
  const signed = command.cmd.bundle
  const answer = (outcome: Outcome) => {
    target.respond(responseOf(command, outcome, target))
    if (outcome.error) target.log.error({ id: command.id, ...outcome.error }, 'park config push refused')
    else
      target.log.warn({ id: command.id, outcome: outcome.outcome, configHash: target.configHash() }, 'park config push')
  }
  try {
    answer(await pushOutcome(signed, target))
  } catch (err) {
    answer(
      refused(ErrorCodes.BUNDLE_INVALID, `the push could not be carried out: ${errorMessage(err)}`, 'see the edge log'),
    )
  }
}

interface Outcome {
  outcome: 'applied' | 'unchanged' | 'refused' | 'invalid' | 'rolled-back'
  issuedAt: number
  error?: { code: ErrorCode; message: string; hint: string }
}

const refused = (code: ErrorCode, message: string, hint: string, outcome: Outcome['outcome'] = 'refused'): Outcome => ({
  outcome,
  issuedAt: 0,
  error: { code, message, hint },
})

async function pushOutcome(signed: SignedBundle, target: PushTarget): Promise<Outcome> {
  const config = target.config()
  if (!config.park)
    return refused(ErrorCodes.BUNDLE_NOT_ENABLED, 'this edge takes no pushed configuration', 'set park.publicKeyFile')
  let verifier: ReturnType<typeof verifyingKeyOf>
  try {
    verifier = verifyingKeyOf(readFileSync(config.park.publicKeyFile, 'utf8'))
  } catch (err) {
    return refused(
      ErrorCodes.BUNDLE_NOT_ENABLED,
      `the park public key ${config.park.publicKeyFile} cannot be used: ${errorMessage(err)}`,
      'put the park signing key (public part, PEM) at park.publicKeyFile',
    )
  }
  const last = readLastGood(config.dataDir)
  const running = last ? { issuedAt: last.issuedAt, signature: last.signed.signature } : null
  const check = checkBundle(signed, { edge: config.edge, verifier, running })
  if (!check.ok) return refused(check.code, check.message, check.hint)
  const { bundle } = check
  if (check.same) return { outcome: 'unchanged', issuedAt: bundle.issuedAt }
  if (edgeNamedIn(bundle.configYaml) !== bundle.edge)
    return refused(
      ErrorCodes.BUNDLE_INVALID,
      `the bundle's config names another edge than ${bundle.edge}`,
      'correct edge: in the config',
      'invalid',
    )
  const result = await target.applyText(withParkRules(bundle.configYaml, bundle.rules))
  if (result.outcome === 'invalid')
    return refused(
      ErrorCodes.BUNDLE_INVALID,
      `the pushed config is invalid, nothing applied: ${result.error}`,
      'correct the config and push again',
      'invalid',
    )
  if (result.outcome === 'rolled-back')
    return refused(
      ErrorCodes.BUNDLE_ROLLED_BACK,
      `the pushed config could not start, the previous one runs again: ${result.error}`,
      'correct the config (devices, passwords, files it names) and push again',
      'rolled-back',
    )
  // Kept in the data directory of the config that runs now.
  writeLastGood(target.config().dataDir, signed)
  return { outcome: result.outcome, issuedAt: bundle.issuedAt }
}

function responseOf(command: Command, o: Outcome, target: PushTarget): CommandResponse {
  return {
    v: WIRE_VERSION,
    id: command.id,
    edge: command.edge,
    ts: target.now(),
    ok: o.error === undefined,
    result: { type: 'config.push', outcome: o.outcome, configHash: target.configHash(), issuedAt: o.issuedAt },
    ...(o.error
      ? { error: { code: o.error.code, message: `${o.error.message} (${o.error.hint})`.slice(0, 1024) } }
      : {}),
  }
}
