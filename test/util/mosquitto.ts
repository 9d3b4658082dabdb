import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { startChild, type Child } from './child.ts'
import { waitForPort } from './ports.ts'

/**
 * Debian's mosquitto on a given loopback port, WITHOUT persistence: a restart loses every queued
 * and retained message, the worst case the delivery protocol must survive.
 */
export interface Mosquitto {
  port: number
  start(): Promise<void>
  stop(): Promise<void>
  dispose(): Promise<void>
}

export function mosquittoBinary(): string {
  for (const p of ['/usr/sbin/mosquitto', '/usr/bin/mosquitto']) if (existsSync(p)) return p
  throw new Error('mosquitto is not installed: apt-get install -y mosquitto (see .ci/run)')
}

/** `extra`: more lines of mosquitto.conf (e.g. the shipped `message_size_limit 1048576`). */
export function createMosquitto(port: number, extra: readonly string[] = []): Mosquitto {
  const dir = mkdtempSync(path.join(tmpdir(), 'parklink-mosquitto-'))
  const conf = path.join(dir, 'mosquitto.conf')
  writeFileSync(
    conf,
    [
      `listener ${port} 127.0.0.1`,
      'allow_anonymous true',
      'persistence false',
      'log_dest stdout',
      'log_type error',
      'log_type warning',
      ...extra,
      '',
    ].join('\n'),
  )
  let child: Child | null = null
  return {
    port,
    async start() {
      child = startChild(`mosquitto:${port}`, mosquittoBinary(), ['-c', conf])
      await waitForPort(port, 10_000)
    },
    async stop() {
      await child?.kill('SIGKILL')
      child = null
    },
    async dispose() {
      await this.stop()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
