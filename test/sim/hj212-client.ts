import net from 'node:net'
import { encodeFrame } from '../../edge/drivers/hj212/codec.ts'

/**
 * A data-acquisition instrument (数采仪) speaking HJ 212-2017 for tests and the demo: it connects
 * to the edge's listener (retrying while the listener is not there), uploads real-time data
 * (CN 2011) every `intervalMs` with DataTime in China time, and keeps the answers it gets.
 */
export interface Hj212ClientOptions {
  host?: string
  port: number
  mn: string
  pw?: string
  intervalMs?: number
  /** Factor code → current value. */
  factors: Record<string, () => number>
  /** Data flag per factor (default N). */
  flags?: Record<string, string>
  /** Ask for an answer (Flag bit A). */
  wantAnswer?: boolean
}

export interface Hj212Client {
  readonly sent: number
  readonly answers: string[]
  readonly connected: boolean
  /** Sends one real-time packet now. */
  sendNow(): void
  /** Sends raw text (broken packets for tests). */
  sendRaw(text: string): void
  stop(): Promise<void>
  restart(): Promise<void>
}

const chinaTime = (ms: number) => new Date(ms + 8 * 3_600_000).toISOString().replace(/[-T:]/g, '').slice(0, 14)

export function realtimeSegment(
  o: Pick<Hj212ClientOptions, 'mn' | 'pw' | 'factors' | 'flags' | 'wantAnswer'>,
  now = Date.now(),
): string {
  const qn = chinaTime(now) + String(now % 1000).padStart(3, '0')
  const groups = Object.entries(o.factors).map(
    ([f, v]) => `${f}-Rtd=${Math.round(v() * 1000) / 1000},${f}-Flag=${o.flags?.[f] ?? 'N'}`,
  )
  return `QN=${qn};ST=32;CN=2011;PW=${o.pw ?? '123456'};MN=${o.mn};Flag=${o.wantAnswer ? 5 : 4};CP=&&DataTime=${chinaTime(now)};${groups.join(';')}&&`
}

export async function startHj212Client(o: Hj212ClientOptions): Promise<Hj212Client> {
  const answers: string[] = []
  let socket: net.Socket | null = null
  let sent = 0
  let running = false
  let sendTimer: ReturnType<typeof setInterval> | null = null
  let retryTimer: ReturnType<typeof setTimeout> | null = null

  const connect = () => {
    if (!running) return
    const s = net.connect({ host: o.host ?? '127.0.0.1', port: o.port })
    s.setEncoding('utf8')
    s.on('connect', () => {
      socket = s
      send()
    })
    s.on('data', (chunk: string) => answers.push(chunk))
    s.on('error', () => {})
    s.on('close', () => {
      if (socket === s) socket = null
      if (running) retryTimer = setTimeout(connect, 200)
    })
  }
  const send = () => {
    if (!socket) return
    socket.write(encodeFrame(realtimeSegment(o)))
    sent++
  }
  const begin = () => {
    running = true
    connect()
    sendTimer = setInterval(send, o.intervalMs ?? 1_000)
  }
  begin()
  return {
    get sent() {
      return sent
    },
    answers,
    get connected() {
      return socket !== null
    },
    sendNow: send,
    sendRaw: (text) => void socket?.write(text),
    async stop() {
      running = false
      if (sendTimer) clearInterval(sendTimer)
      if (retryTimer) clearTimeout(retryTimer)
      sendTimer = retryTimer = null
      const s = socket
      socket = null
      if (s)
        await new Promise<void>((resolve) =>
          s.end(() => {
            s.destroy()
            resolve()
          }),
        )
    },
    async restart() {
      if (!running) begin()
    },
  }
}
