import { spawn, type ChildProcess } from 'node:child_process'
import { freePort } from '../util/ports.ts'
import { waitFor } from '../util/wait.ts'

/**
 * A transparent serial server for tests: socat copies bytes between a TCP port and the master
 * end of a simulated RS485 line (test/sim/modbus-rtu-sim.ts), as a Moxa/USR box in TCP server
 * mode does. The frames on the socket are RTU frames, CRC included.
 *
 * socat options, each for a reason:
 * - an explicit port (socat cannot report a port 0 back): a free one is picked, and kept across
 *   restart() so the driver reconnects to the same address;
 * - `fork,max-children=1`: every connection gets the line in turn, one at a time, like a real
 *   serial server; a second reader of the tty would steal the slaves' answers;
 * - `-t 0`: when the client closes, its child lets the tty go at once (socat's default keeps it
 *   0.5 s, reading answers meant for the next connection);
 * - `nodelay`: a request goes out in one segment, without Nagle's delay;
 * - readiness is socat's own "listening on" line (`-d -d`): a probe connection would take the
 *   line and hold it for the duration of a child.
 */
export interface RtuTcpBridge {
  readonly port: number
  stop(): Promise<void>
  restart(): Promise<void>
}

export async function startRtuTcpBridge(ttyPath: string): Promise<RtuTcpBridge> {
  const port = await freePort()
  let child: ChildProcess | null = null

  const start = async () => {
    let log = ''
    const c = spawn(
      'socat',
      [
        '-d',
        '-d',
        '-t',
        '0',
        `TCP-LISTEN:${port},bind=127.0.0.1,reuseaddr,fork,max-children=1,nodelay`,
        `GOPEN:${ttyPath},raw,echo=0`,
      ],
      // Its own process group, so stop() ends the forked children with it.
      { stdio: ['ignore', 'ignore', 'pipe'], detached: true },
    )
    child = c
    c.stderr!.on('data', (d: Buffer) => {
      if (log.length < 64_000) log += d.toString()
    })
    await waitFor(() => /listening on/.test(log) || c.exitCode !== null, {
      timeoutMs: 5_000,
      message: () => `socat listening on ${port}: ${log}`,
    })
    if (c.exitCode !== null) throw new Error(`socat bridge exited: ${log}`)
  }

  const stop = async () => {
    const c = child
    child = null
    if (!c || c.exitCode !== null || c.signalCode !== null) return
    const exited = new Promise<void>((resolve) => c.once('exit', () => resolve()))
    try {
      process.kill(-c.pid!, 'SIGTERM')
    } catch {
      c.kill('SIGTERM')
    }
    await exited
  }

  await start()
  return {
    port,
    stop,
    restart: async () => {
      if (!child) await start()
    },
  }
}
