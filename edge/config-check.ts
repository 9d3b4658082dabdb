import { readFileSync } from 'node:fs'
import { pino } from 'pino'
import { ConfigError, byLine, locateConfig, type ConfigProblem } from '../shared/config.ts'
import { ErrorCodes, ParklinkError, errorMessage } from '../shared/errors.ts'
import { consolePassword } from './console/config.ts'
import { mqttUplinkOf, parseEdgeConfig, readEdgeConfigText, uplinkPassword, type EdgeConfig } from './config.ts'
import { instrumentPasswords } from './drivers/hj212/password.ts'
import { loadUplinkTls } from './uplink/tls.ts'
import { cryptoFileProblems, type FileProblem } from './crypto-files-check.ts'

/**
 * The ONE check of an edge configuration, run by `parklink edge validate`, by the agent before it
 * starts (and before it applies a changed file) and by `parklink edge read point`: the schema
 * (which holds the drivers' own address, host, port and reference rules) and then what the
 * agent needs from its environment — the password variables set, the TLS files readable. Every
 * problem comes with its line, sorted by line.
 */
export interface CheckResult {
  ok: boolean
  /** Present when ok. */
  config: EdgeConfig | null
  problems: ConfigProblem[]
}

/** What `parklink edge validate` checks beyond the agent's start: the crypto files in depth (crypto-files-check.ts) at `now`. */
export interface DeepCheck {
  cryptoFiles: { now: number }
}

/**
 * `env: null` skips the environment (password variables, TLS files): for checking a file away
 * from its box. `deep`: validate's stricter look at the crypto files (the agent does not ask it).
 */
export function checkEdgeConfigText(
  text: string,
  file: string,
  env: NodeJS.ProcessEnv | null = process.env,
  deep?: DeepCheck,
): CheckResult {
  let config: EdgeConfig
  try {
    config = parseEdgeConfig(text, file)
  } catch (err) {
    if (err instanceof ConfigError) return { ok: false, config: null, problems: err.problems }
    throw err
  }
  const { lineOf } = locateConfig(text, file)
  const found =
    env === null
      ? []
      : [...environmentProblems(config, env), ...(deep ? cryptoFileProblems(config, deep.cryptoFiles.now) : [])]
  const problems = dedupe(found).map(
    ({ at, err }): ConfigProblem => ({
      file,
      line: lineOf(at),
      path: at.join('.'),
      message: err.message,
      ...(err.hint ? { hint: err.hint } : {}),
      code: err.code,
    }),
  )
  return problems.length === 0
    ? { ok: true, config, problems }
    : { ok: false, config: null, problems: problems.sort(byLine) }
}

/** Reads and checks a config file; an unreadable file throws CONFIG_UNREADABLE (nothing to check). */
export function checkEdgeConfigFile(
  file: string,
  env: NodeJS.ProcessEnv | null = process.env,
  deep?: DeepCheck,
): CheckResult {
  const text = readEdgeConfigText(file)
  return checkEdgeConfigText(text, file, env, deep)
}

/**
 * The deep check says in detail (and with its own code) what the start's check says in one line:
 * where both found a problem in the same block (uplink.tls), the start's line goes.
 */
function dedupe(found: FileProblem[]): FileProblem[] {
  const deepAt = found.filter((p) => p.err.code !== ErrorCodes.CONFIG_INVALID).map((p) => p.at.join('.'))
  return found.filter(
    (p) => p.err.code !== ErrorCodes.CONFIG_INVALID || !deepAt.some((d) => d.startsWith(`${p.at.join('.')}.`)),
  )
}

/** The checked config, or a ConfigError listing every problem by line (what the agent starts from). */
export function loadCheckedEdgeConfig(file: string, env: NodeJS.ProcessEnv = process.env): EdgeConfig {
  const r = checkEdgeConfigFile(file, env)
  if (!r.ok || !r.config) throw new ConfigError(file, r.problems)
  return r.config
}

const quiet = pino({ level: 'silent' })

/** What the agent refuses at start beyond the schema, each with the config path it comes from. */
export function environmentProblems(
  config: EdgeConfig,
  env: NodeJS.ProcessEnv,
): Array<{ at: Array<string | number>; err: ParklinkError }> {
  const out: Array<{ at: Array<string | number>; err: ParklinkError }> = []
  const run = (at: Array<string | number>, check: () => unknown) => {
    try {
      check()
    } catch (err) {
      out.push({
        at,
        err:
          err instanceof ParklinkError
            ? err
            : new ParklinkError(ErrorCodes.CONFIG_INVALID, errorMessage(err), { cause: err }),
      })
    }
  }
  run(['uplink', 'passwordEnv'], () => uplinkPassword(config, env))
  const mqtt = mqttUplinkOf(config)
  if (mqtt) run(['uplink', 'tls'], () => loadUplinkTls(mqtt.tls))
  if (config.console) {
    const c = config.console
    run(['console', 'passwordEnv'], () => consolePassword(c, env))
    run(['console', 'tls'], () => loadUplinkTls(c.tls, 'console.tls'))
  }
  config.devices.forEach((d, i) => {
    if (d.kind === 'hj212') run(['devices', i, 'instruments'], () => instrumentPasswords(d, env, quiet))
    if (d.kind === 'onvif')
      run(['devices', i, 'passwordEnv'], () =>
        requireEnv(
          env,
          d.passwordEnv,
          `device ${d.id}: environment variable ${d.passwordEnv} (the camera password of ${d.username}) is not set`,
          true,
        ),
      )
    if (d.kind === 'opcua' && d.identity.type === 'username') {
      const id = d.identity
      run(['devices', i, 'identity', 'passwordEnv'], () =>
        requireEnv(
          env,
          id.passwordEnv,
          `device ${d.id}: environment variable ${id.passwordEnv} (the OPC UA password of ${id.username}) is not set`,
          false,
        ),
      )
    }
    if (d.kind === 'opcua' && d.identity.type === 'certificate') {
      const id = d.identity
      run(['devices', i, 'identity'], () => {
        for (const f of [id.certFile, id.keyFile]) readFileSync(f)
      })
    }
  })
  return out
}

function requireEnv(env: NodeJS.ProcessEnv, name: string, message: string, nonEmpty: boolean): void {
  const value = env[name]
  if (value === undefined || (nonEmpty && value === '')) {
    throw new ParklinkError(ErrorCodes.CONFIG_INVALID, message, {
      hint: `set ${name} in the service environment (for systemd: /etc/parklink/edge.env), never in the config file`,
    })
  }
}

/** checkEdgeConfigText, throwing the ConfigError (every problem, by line) when the config is refused. */
export function parseCheckedEdgeConfig(text: string, file: string, env: NodeJS.ProcessEnv = process.env): EdgeConfig {
  const r = checkEdgeConfigText(text, file, env)
  if (!r.ok || !r.config) throw new ConfigError(file, r.problems)
  return r.config
}
