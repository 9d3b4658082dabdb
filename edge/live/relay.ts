import type { ChildProcess } from 'node:child_process'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Duplex } from 'node:stream'
import type { Logger } from 'pino'
import { WebSocketServer, type WebSocket } from 'ws'
import type { Clock, TimerHandle } from '../../shared/clock.ts'
import type { ViewerRefusal } from '../../shared/wire/live-token.ts'
import { REFUSALS, type ViewerAdmission } from './admission.ts'
import { spawnFfmpeg } from './ffmpeg.ts'
import { closeReason, offersLiveProtocol, refusalCloseCode } from './live-protocol.ts'

/**
 * Live view at the edge (where the cameras are reachable): `ws://{edge}:{port}/live/{camera}`
 * relays the camera's RTSP stream as MPEG-TS with MPEG-1 video (what JSMpeg plays in a
 * browser), the way node-rtsp-stream does (ffmpeg's stdout to every viewer's socket). A stream starts with its first viewer, is shared by all viewers of that camera,
 * stops `idleTimeoutMs` after its last viewer left, and is given up with a reason when no video
 * arrives within `startTimeoutMs`. At most `maxStreams` cameras stream at once (each costs an
 * ffmpeg transcode on a 2-core box); another camera is refused with 503 and the reason.
 *
 * Every upgrade passes `admission` first (origin and viewer token, edge/live/admission.ts):
 * a refusal answers 401/403 with a stable code and reason, is counted and logged (never with
 * the token), and comes before the camera is looked up, so a stranger learns nothing. A browser
 * sees no status of a refused upgrade, so one that offers the `parklink-live` subprotocol gets
 * each refusal as a close code instead (live-protocol.ts): still before any stream starts.
 */
export interface LiveRelayOptions {
  host?: string
  port?: number
  maxStreams: number
  idleTimeoutMs: number
  startTimeoutMs: number
  ffmpegPath?: string
  /** The camera's RTSP URL (credentials included), or null for an unknown camera. */
  source(camera: string): string | null
  admission: ViewerAdmission
  clock: Clock
  log: Logger
}

export interface LiveStreamInfo {
  camera: string
  viewers: number
  startedAt: number
  /** Video bytes relayed so far (0: nothing arrived yet). */
  bytes: number
  pid: number | undefined
}

export interface LiveRelay {
  readonly port: number
  streams(): LiveStreamInfo[]
  /** Why the last stream of this camera ended badly (never started, ffmpeg failed); null when fine. */
  lastError(camera: string): string | null
  /** Upgrades refused by admission, by reason, since start. */
  refusals(): Partial<Record<ViewerRefusal, number>>
  close(): Promise<void>
}

interface Upgrade {
  req: http.IncomingMessage
  socket: Duplex
  head: Buffer
}

interface Stream {
  camera: string
  ffmpeg: ChildProcess
  viewers: Set<WebSocket>
  startedAt: number
  bytes: number
  stderr: string[]
  timer: TimerHandle | null
  stopping: boolean
}

export async function startLiveRelay(o: LiveRelayOptions): Promise<LiveRelay> {
  const { clock, log } = o
  const streams = new Map<string, Stream>()
  const errors = new Map<string, string>()
  const refused: Partial<Record<ViewerRefusal, number>> = {}
  const server = http.createServer((_req, res) =>
    res.writeHead(426, { 'Content-Type': 'text/plain' }).end('live view: open a WebSocket to /live/{camera}\n'),
  )
  const wss = new WebSocketServer({ noServer: true })

  const setTimer = (s: Stream, ms: number, fn: () => void) => {
    if (s.timer !== null) clock.clearTimeout(s.timer)
    s.timer = clock.setTimeout(() => {
      s.timer = null
      fn()
    }, ms)
  }
  const stop = (s: Stream, reason: string | null) => {
    if (s.stopping) return
    s.stopping = true
    if (s.timer !== null) clock.clearTimeout(s.timer)
    streams.delete(s.camera)
    if (reason) {
      errors.set(s.camera, reason)
      log.warn({ camera: s.camera, reason }, 'live stream failed')
    } else log.info({ camera: s.camera, bytes: s.bytes }, 'live stream stopped')
    for (const v of s.viewers) v.close(reason ? 1011 : 1000, (reason ?? 'stream stopped').slice(0, 120))
    s.ffmpeg.kill('SIGTERM')
  }
  const tail = (s: Stream) => s.stderr.slice(-2).join(' | ').trim() || 'ffmpeg said nothing'

  const open = (camera: string, url: string): Stream => {
    const ffmpeg = spawnFfmpeg(o.ffmpegPath ?? 'ffmpeg', url)
    const s: Stream = {
      camera,
      ffmpeg,
      viewers: new Set(),
      startedAt: clock.now(),
      bytes: 0,
      stderr: [],
      timer: null,
      stopping: false,
    }
    ffmpeg.stdout!.on('data', (data: Buffer) => {
      if (s.bytes === 0) {
        errors.delete(camera)
        log.info({ camera, ms: clock.now() - s.startedAt }, 'live stream started')
        // The start timer goes; with no viewer left, the idle timer stays.
        if (s.viewers.size > 0 && s.timer !== null) {
          clock.clearTimeout(s.timer)
          s.timer = null
        }
      }
      s.bytes += data.length
      for (const v of s.viewers) if (v.readyState === v.OPEN) v.send(data, { binary: true })
    })
    // ffmpeg's stderr goes to our log (the last lines become the reason), never to our stderr.
    ffmpeg.stderr!.on('data', (data: Buffer) => {
      for (const line of data.toString('utf8').split(/\r?\n/))
        if (line.trim()) s.stderr.push(line.replace(/rtsp:\/\/[^@\s/]*@/g, 'rtsp://***@'))
      if (s.stderr.length > 20) s.stderr.splice(0, s.stderr.length - 20)
    })
    ffmpeg.on('error', (err: Error) => stop(s, `cannot run ffmpeg: ${err.message}; install Debian's ffmpeg`))
    ffmpeg.on('exit', (code: number | null) =>
      stop(s, s.stopping ? null : `stream ended (ffmpeg exit ${code}): ${tail(s)}`),
    )
    setTimer(
      s,
      o.startTimeoutMs,
      () => s.bytes === 0 && stop(s, `the stream did not start within ${o.startTimeoutMs} ms: ${tail(s)}`),
    )
    streams.set(camera, s)
    log.info({ camera, pid: ffmpeg.pid }, 'live stream requested')
    return s
  }

  /** An upgrade refused: as HTTP, or to a browser offering LIVE_PROTOCOL as a close code (live-protocol.ts). */
  const refuse = (u: Upgrade, status: number, body: string, reason: string, type = 'text/plain') => {
    if (offersLiveProtocol(u.req))
      return wss.handleUpgrade(u.req, u.socket, u.head, (ws) => ws.close(refusalCloseCode(status), closeReason(reason)))
    u.socket.end(
      `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nContent-Type: ${type}\r\nConnection: close\r\n\r\n${body}\n`,
    )
  }
  const refuseViewer = (u: Upgrade, camera: string, reason: ViewerRefusal) => {
    const r = REFUSALS[reason]
    refused[reason] = (refused[reason] ?? 0) + 1
    log.warn(
      {
        camera,
        reason,
        code: r.code,
        origin: u.req.headers.origin ?? null,
        remote: u.req.socket.remoteAddress ?? null,
      },
      'live viewer refused',
    )
    refuse(
      u,
      r.status,
      JSON.stringify({ error: { code: r.code, reason, message: `live view refused: ${reason}`, hint: r.hint } }),
      reason,
      'application/json',
    )
  }

  server.on('upgrade', (req, socket, head) => {
    socket.on('error', () => {})
    const camera = /^\/live\/([A-Za-z0-9][A-Za-z0-9_.-]{0,63})$/.exec((req.url ?? '').split('?')[0]!)?.[1]
    const u: Upgrade = { req, socket, head }
    if (!camera) return refuse(u, 404, 'live view: open a WebSocket to /live/{camera}?token=…', 'no_camera')
    o.admission.check(req, camera).then(
      (admitted) => (admitted.ok ? accept(u, camera) : refuseViewer(u, camera, admitted.reason)),
      (err: unknown) => {
        log.error({ camera, err }, 'live viewer check failed')
        refuse(u, 500, 'live view: the viewer check failed', 'check_failed')
      },
    )
  })

  const accept = (u: Upgrade, camera: string) => {
    const { req, socket, head } = u
    if (socket.destroyed) return
    const url = o.source(camera)
    if (url === null) return refuse(u, 404, `no camera "${camera}" on this edge`, 'unknown_camera')
    const existing = streams.get(camera)
    if (!existing && streams.size >= o.maxStreams)
      return refuse(
        u,
        503,
        `live view limit reached: ${streams.size} of ${o.maxStreams} streams run (${[...streams.keys()].join(', ')}); close one or raise live.maxStreams`,
        `stream_limit ${streams.size}/${o.maxStreams}`,
      )
    wss.handleUpgrade(req, socket, head, (ws) => {
      const s = existing ?? open(camera, url)
      s.viewers.add(ws)
      if (s.bytes > 0 && s.timer !== null) {
        clock.clearTimeout(s.timer)
        s.timer = null
      } else if (s.bytes === 0)
        setTimer(
          s,
          o.startTimeoutMs,
          () => s.bytes === 0 && stop(s, `the stream did not start within ${o.startTimeoutMs} ms: ${tail(s)}`),
        )
      ws.on('close', () => {
        s.viewers.delete(ws)
        if (s.viewers.size === 0 && !s.stopping)
          setTimer(s, o.idleTimeoutMs, () => s.viewers.size === 0 && stop(s, null))
      })
    })
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(o.port ?? 0, o.host ?? '127.0.0.1', () => resolve())
  })
  return {
    port: (server.address() as AddressInfo).port,
    streams: () =>
      [...streams.values()].map((s) => ({
        camera: s.camera,
        viewers: s.viewers.size,
        startedAt: s.startedAt,
        bytes: s.bytes,
        pid: s.ffmpeg.pid,
      })),
    lastError: (camera) => errors.get(camera) ?? null,
    refusals: () => ({ ...refused }),
    async close() {
      for (const s of [...streams.values()]) stop(s, null)
      wss.close()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
