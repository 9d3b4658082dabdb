import { spawn, type ChildProcess } from 'node:child_process'

/**
 * A child process for end-to-end tests: output kept in memory (shown when a test fails),
 * killable, and always reaped — `stopAll()` in afterAll ends whatever a failed test left.
 */
export interface Child {
  readonly name: string
  readonly proc: ChildProcess
  output(): string
  /** Resolves with the exit code (or the signal name) once the process has ended. */
  exited: Promise<number | string>
  kill(signal?: NodeJS.Signals): Promise<number | string>
}

const running = new Set<Child>()

export function startChild(name: string, command: string, args: string[], env: NodeJS.ProcessEnv = {}): Child {
  const proc = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  const chunks: string[] = []
  const keep = (b: Buffer) => {
    chunks.push(b.toString('utf8'))
    if (chunks.length > 2000) chunks.splice(0, 1000)
  }
  proc.stdout?.on('data', keep)
  proc.stderr?.on('data', keep)
  const exited = new Promise<number | string>((resolve) => {
    proc.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'))
    proc.once('error', (err) => {
      chunks.push(`spawn error: ${err.message}`)
      resolve('spawn-error')
    })
  })
  const child: Child = {
    name,
    proc,
    output: () => chunks.join(''),
    exited,
    async kill(signal = 'SIGTERM') {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal)
      const timer = setTimeout(() => proc.kill('SIGKILL'), 15_000)
      const result = await exited
      clearTimeout(timer)
      running.delete(child)
      return result
    },
  }
  running.add(child)
  void exited.then(() => running.delete(child))
  return child
}

export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((c) => c.kill('SIGKILL')))
}

/** `parklink …` as a child process, exactly as an operator runs it. */
export function startParklink(name: string, args: string[], env: NodeJS.ProcessEnv = {}): Child {
  return startChild(
    name,
    process.execPath,
    [new URL('../../deploy/bin/parklink.mjs', import.meta.url).pathname, ...args],
    env,
  )
}
