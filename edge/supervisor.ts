import { readFileSync, writeFileSync } from 'node:fs'
import type { Logger } from 'pino'
import { systemClock } from '../shared/clock.ts'
import { startPeriodic } from '../shared/periodic.ts'
import { errorMessage } from '../shared/errors.ts'
import { startEdgeAgent, type EdgeAgent, type EdgeAgentOptions } from './agent.ts'
import type { EdgeConfig } from './config.ts'
import { parseCheckedEdgeConfig } from './config-check.ts'
import { handleConfigPush } from './park/push.ts'
import type { Command } from '../shared/wire/command.ts'

/**
 * Runs the agent from a config file and applies a changed file with rollback: the new config is
 * validated first (an invalid one changes nothing); the running agent is stopped and one with
 * the new config started; if it cannot start (a driver refuses, a password variable is missing)
 * the previous config is restored — in the file too, the failed one kept beside it as
 * FILE.failed — and started again. The outbox is reopened, never rewritten, by a change.
 */
export type ApplyResult =
  | { outcome: 'unchanged' }
  | { outcome: 'applied'; configHash: string }
  | { outcome: 'invalid'; error: string }
  | { outcome: 'rolled-back'; error: string }

export interface SupervisedEdge {
  agent(): EdgeAgent
  /** Re-reads the config file and applies it (also called by the file watcher). */
  apply(): Promise<ApplyResult>
  /**
   * Applies a new config text (a park push, edge/park/push.ts): checked first (an invalid one
   * changes nothing, not even the file), then written to the file and applied like a changed
   * file, with the same rollback. Runs after any apply in progress.
   */
  applyText(text: string): Promise<ApplyResult>
  stop(): Promise<void>
}

export async function startSupervisedEdge(
  file: string,
  log: Logger,
  options: Omit<EdgeAgentOptions, 'log' | 'configPath'> & { watchIntervalMs?: number } = {},
): Promise<SupervisedEdge> {
  let text = readFileSync(file, 'utf8')
  let config: EdgeConfig = parseCheckedEdgeConfig(text, file, options.env)
  let agent: EdgeAgent
  // The park's config pushes (issue 19) go through applyText below and are answered by the agent running afterwards.
  const onConfigPush = (command: Command) =>
    void handleConfigPush(command, {
      config: () => config,
      configHash: () => agent.configHash,
      applyText: (t) => exclusive(() => applyText(t)),
      respond: (r) => agent.respond(r),
      now: () => (options.clock ?? systemClock).now(),
      log: log.child({ component: 'park' }),
    })
  const startAgent = (c: EdgeConfig) => startEdgeAgent(c, { ...options, log, configPath: file, onConfigPush })
  agent = await startAgent(config)
  let applying: Promise<ApplyResult> | null = null
  let stopped = false

  const parseNext = (nextText: string): { ok: true; next: EdgeConfig } | { ok: false; result: ApplyResult } => {
    try {
      return { ok: true, next: parseCheckedEdgeConfig(nextText, file, options.env) }
    } catch (err) {
      log.error(
        { config: file, err: errorMessage(err) },
        'the changed config is invalid: still running the previous one',
      )
      return { ok: false, result: { outcome: 'invalid', error: errorMessage(err) } }
    }
  }
  /** Stops the running agent and starts one with `next`; back to the running config if it cannot start. */
  const switchTo = async (nextText: string, next: EdgeConfig): Promise<ApplyResult> => {
    await agent.stop()
    try {
      agent = await startAgent(next)
      text = nextText
      config = next
      log.warn({ config: file, configHash: agent.configHash }, 'new config applied')
      return { outcome: 'applied', configHash: agent.configHash }
    } catch (err) {
      log.error(
        { config: file, err: errorMessage(err) },
        'the new config could not start: rolled back to the previous one (kept as .failed)',
      )
      restoreFile(file, text, nextText, log)
      agent = await startAgent(config)
      return { outcome: 'rolled-back', error: errorMessage(err) }
    }
  }
  const apply = async (): Promise<ApplyResult> => {
    const nextText = readFileSync(file, 'utf8')
    if (nextText === text) return { outcome: 'unchanged' }
    const parsed = parseNext(nextText)
    return parsed.ok ? switchTo(nextText, parsed.next) : parsed.result
  }
  const applyText = async (nextText: string): Promise<ApplyResult> => {
    if (nextText === text) return { outcome: 'unchanged' }
    const parsed = parseNext(nextText)
    if (!parsed.ok) return parsed.result
    writeFileSync(file, nextText)
    return switchTo(nextText, parsed.next)
  }
  /** After whatever apply runs now (a file change waits for a push and the other way round). */
  const exclusive = async (run: () => Promise<ApplyResult>): Promise<ApplyResult> => {
    while (applying) await applying.catch(() => {})
    applying = run().finally(() => (applying = null))
    return applying
  }
  const serialized = () => {
    applying ??= apply().finally(() => (applying = null))
    return applying
  }

  // The file is compared by CONTENT on a timer, not by fs.watchFile's stat events: a write that
  // lands before the watcher's first stat (or within the same mtime tick) would never be seen.
  // A file that stays invalid is reported once, not on every round.
  let lastRefused: string | null = null
  const watcher = startPeriodic(
    options.clock ?? systemClock,
    options.watchIntervalMs ?? 2_000,
    async () => {
      if (stopped) return
      let current: string
      try {
        current = readFileSync(file, 'utf8')
      } catch (err) {
        if (lastRefused !== '\0missing')
          log.error(
            { config: file, err: errorMessage(err) },
            'the config file cannot be read: still running the previous one',
          )
        lastRefused = '\0missing'
        return
      }
      if (current === text || current === lastRefused) return
      const result = await serialized()
      // A rolled-back file was restored to the running text already (unless the directory is not
      // writable): either way the same refused text is not tried again on every round.
      lastRefused = result.outcome === 'invalid' || result.outcome === 'rolled-back' ? current : null
    },
    (err: unknown) => log.error({ err: errorMessage(err) }, 'applying the changed config failed'),
  )
  return {
    agent: () => agent,
    apply: serialized,
    applyText: (t) => exclusive(() => applyText(t)),
    async stop() {
      stopped = true
      watcher.stop()
      if (applying) await applying.catch(() => {})
      await agent.stop()
    },
  }
}

/**
 * Puts the running config back in the file and keeps the failed one as FILE.failed. Best effort:
 * when the directory is not writable (the systemd unit must list it in ReadWritePaths=) the
 * previous config still runs, and the log says why the file was left as it is.
 */
function restoreFile(file: string, running: string, failed: string, log: Logger): void {
  try {
    writeFileSync(`${file}.failed`, failed)
    writeFileSync(file, running)
  } catch (err) {
    log.error(
      { config: file, err: errorMessage(err) },
      'the rolled-back config could not be written back: the previous config runs, the file still holds the failed one (is its directory in ReadWritePaths= of the systemd unit?)',
    )
  }
}
