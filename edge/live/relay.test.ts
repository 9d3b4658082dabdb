import net from 'node:net'
import pino from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { systemClock } from '../../shared/clock.ts'
import { startRtspSource, type RtspSource } from '../../test/sim/rtsp-source.ts'
import { stopAll } from '../../test/util/child.ts'
import { freePort } from '../../test/util/ports.ts'
import { waitFor } from '../../test/util/wait.ts'
import { startLiveRelay, type LiveRelay } from './relay.ts'

const alive = (pid: number | undefined) => {
  try {
    return pid !== undefined && process.kill(pid, 0)
  } catch {
    return false
  }
}

/** Live view against GStreamer's RTSP server: real ffmpeg, real WebSockets. */
describe('live view relay (RTSP → WebSocket, MPEG-TS)', () => {
  let rtsp: RtspSource
  let relay: LiveRelay
  let deadUrl: string
  beforeAll(async () => {
    rtsp = await startRtspSource()
    deadUrl = `rtsp://127.0.0.1:${await freePort()}/live` // nothing listens there
    const sources: Record<string, string> = { 'cam-gate': rtsp.url, 'cam-dead': deadUrl, 'cam-other': rtsp.url }
    relay = await startLiveRelay({ maxStreams: 1, idleTimeoutMs: 300, startTimeoutMs: 10_000, source: (c) => sources[c] ?? null, clock: systemClock, log: pino({ level: 'silent' }) })
  }, 30_000)
  afterAll(async () => {
    await relay?.close()
    await stopAll()
  })
  const open = (camera: string) => new WebSocket(`ws://127.0.0.1:${relay.port}/live/${camera}`)
  const refusal = (camera: string) => new Promise<number>((resolve) => open(camera).on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)).on('error', () => {}))

  it('delivers MPEG-TS from the camera, refuses a second camera over the limit, and tears the stream down when idle', async () => {
    const ws = open('cam-gate')
    const chunks: Buffer[] = []
    ws.on('message', (data: Buffer) => chunks.push(data))
    await waitFor(() => Buffer.concat(chunks).length >= 188 * 20, { timeoutMs: 15_000, message: 'MPEG-TS bytes over the WebSocket' })
    const ts = Buffer.concat(chunks)
    // MPEG-TS: 188-byte packets, each starting with the sync byte 0x47 (ISO/IEC 13818-1 §2.4.3.2).
    expect([0, 188, 376, 188 * 19].map((i) => ts[i])).toEqual([0x47, 0x47, 0x47, 0x47])
    const [stream] = relay.streams()
    expect(stream).toMatchObject({ camera: 'cam-gate', viewers: 1 })
    expect(alive(stream!.pid)).toBe(true)

    expect(await refusal('cam-other')).toBe(503)
    expect(await refusal('no-such-camera')).toBe(404)

    ws.close()
    await waitFor(() => relay.streams().length === 0, { message: 'idle stream torn down' })
    await waitFor(() => !alive(stream!.pid), { message: 'ffmpeg ended' })
    expect(relay.lastError('cam-gate')).toBeNull()
  }, 30_000)

  it('closes the viewer with the reason when the stream never starts', async () => {
    const ws = open('cam-dead')
    const closed = await new Promise<{ code: number; reason: string }>((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })))
    expect(closed.code).toBe(1011)
    expect(relay.lastError('cam-dead')).toMatch(/stream ended \(ffmpeg exit 1\): .*(refused|Connection)/i)
    expect(relay.streams()).toEqual([])
  }, 30_000)

  it('gives up a stream that connects but never sends video, with the reason, and kills its ffmpeg', async () => {
    // An RTSP "camera" that accepts the connection and never answers.
    const sockets = new Set<net.Socket>()
    const silent = net.createServer((socket) => void sockets.add(socket))
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', () => resolve()))
    const port = (silent.address() as net.AddressInfo).port
    const hung = await startLiveRelay({ maxStreams: 1, idleTimeoutMs: 300, startTimeoutMs: 1_000, source: () => `rtsp://user:secret@127.0.0.1:${port}/live`, clock: systemClock, log: pino({ level: 'silent' }) })
    try {
      const ws = new WebSocket(`ws://127.0.0.1:${hung.port}/live/cam-hung`)
      await waitFor(() => hung.streams().length === 1)
      const pid = hung.streams()[0]!.pid
      const closed = await new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)))
      expect(closed).toBe(1011)
      expect(hung.lastError('cam-hung')).toMatch(/^the stream did not start within 1000 ms/)
      expect(hung.lastError('cam-hung')).not.toContain('secret')
      await waitFor(() => !alive(pid), { message: 'ffmpeg of the hung stream ended' })
    } finally {
      await hung.close()
      for (const socket of sockets) socket.destroy()
      await new Promise<void>((resolve) => silent.close(() => resolve()))
    }
  }, 30_000)
})
