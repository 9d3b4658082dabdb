import { startParklink, type Child } from '../util/child.ts'

/**
 * A parklink process kept running as systemd keeps it on site (deploy/systemd/*.service:
 * Restart=always, RestartSec=5; shorter here): when it exits by itself — not killed by the
 * campaign — it is started again after `restartMs`, and the exit is recorded for the report.
 */
export interface Supervised {
  current(): Child
  /** kill -9, wait `pauseMs` (doing `whileStopped` first), start again. */
  killAndRestart(pauseMs: number, whileStopped?: () => void | Promise<void>): Promise<void>
  /** Stops for good (signal, then SIGKILL after 15 s). */
  stop(signal?: NodeJS.Signals): Promise<void>
  /** Exits the campaign did not cause: exit code and the last lines of output. */
  readonly selfExits: string[]
}

export interface SuperviseOptions {
  onStart?: (child: Child) => void
  /** Added to the environment (the unit's Environment=: passwords, the test hooks). */
  env?: NodeJS.ProcessEnv
  restartMs?: number
}

export function supervise(
  name: string,
  args: string[],
  { onStart = () => {}, env = {}, restartMs = 1_000 }: SuperviseOptions = {},
): Supervised {
  let child: Child
  let deliberate = false
  let stopped = false
  let timer: NodeJS.Timeout | null = null
  const selfExits: string[] = []
  const start = () => {
    timer = null
    const c = startParklink(name, args, env)
    child = c
    onStart(c)
    void c.exited.then((code) => {
      if (deliberate || stopped || c !== child) return
      selfExits.push(`${name} exited by itself (${code}): ${whyExited(c.output())}`)
      timer = setTimeout(start, restartMs)
    })
  }
  start()
  return {
    current: () => child,
    selfExits,
    async killAndRestart(pauseMs, whileStopped) {
      deliberate = true
      if (timer) clearTimeout(timer)
      await child.kill('SIGKILL')
      await whileStopped?.()
      await new Promise((r) => setTimeout(r, pauseMs))
      deliberate = false
      if (!stopped) start()
    },
    async stop(signal = 'SIGTERM') {
      stopped = true
      if (timer) clearTimeout(timer)
      await child.kill(signal)
    },
  }
}

/**
 * The error line of a crash (a stack's first line, or an `error [CODE]:` report) and the first
 * frame in parklink's own code (where it failed: at startup or while running), else the last line.
 */
function whyExited(output: string): string {
  const lines = output
    .trim()
    .split('\n')
    .map((l) => l.trim())
  const at = lines.findIndex((l) => /^(\w*Error\b|error \[)/.test(l))
  if (at < 0) return (lines.at(-1) ?? '').slice(0, 300)
  const frame = lines
    .slice(at + 1)
    .find((l) => l.startsWith('at ') && !l.includes('node_modules') && !l.includes('node:'))
  return `${lines[at]}${frame ? ` (${frame})` : ''}`.slice(0, 400)
}
