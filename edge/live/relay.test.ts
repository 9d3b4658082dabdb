import { generateKeyPairSync } from 'node:crypto'
import { readFileSync } from 'node:fs'
import net from 'node:net'
import pino from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { systemClock } from '../../shared/clock.ts'
import { startRtspSource, type RtspSource } from '../../test/sim/rtsp-source.ts'
import { stopAll } from '../../test/util/child.ts'
import { freePort } from '../../test/util/ports.ts'
import { waitFor } from '../../test/util/wait.ts'
import { signViewerToken } from '../../shared/wire/live-token.ts'
import { createViewerAdmission } from './admission.ts'
import { startLiveRelay, type LiveRelay } from './relay.ts'
import { LIVE_PROTOCOL } from './live-protocol.ts'

const alive = (pid: number | undefined) => {
  try {
    return pid !== undefined && process.kill(pid, 0)
  } catch {
    return false
  }
}

/** The process's command line as every local user can read it (`ps`). */
const cmdline = (pid: number) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ')

const ORIGIN = 'http://console.test:8088'
const cloudKey = generateKeyPairSync('ed25519')
const consoleKey = generateKeyPairSync('ec', { namedCurve: 'P-256' })
const admission = createViewerAdmission({
  keys: [cloudKey.publicKey, consoleKey.publicKey],
  origins: [ORIGIN, 'https://park.example.cn'],
  now: () => systemClock.now(),
})
const token = async (camera: string, o: { key?: typeof cloudKey.privateKey; ageMs?: number } = {}) =>
  (
    await signViewerToken(o.key ?? cloudKey.privateKey, {
      camera,
      subject: 'alice',
      issuer: 'parklink-cloud',
      now: systemClock.now() - (o.ageMs ?? 0),
    })
  ).token
const connect = async (port: number, camera: string, o: { token?: string | null; origin?: string | null } = {}) => {
  const t = o.token === undefined ? await token(camera) : o.token
  const origin = o.origin === undefined ? ORIGIN : o.origin
  return new WebSocket(
    `ws://127.0.0.1:${port}/live/${camera}${t === null ? '' : `?token=${t}`}`,
    origin === null ? {} : { origin },
  )
}
/** The refusal of an upgrade: its status and body. */
const refused = async (port: number, camera: string, o: { token?: string | null; origin?: string | null } = {}) => {
  const ws = await connect(port, camera, o)
  return await new Promise<{ status: number; body: string }>((resolve) =>
    ws
      .on('unexpected-response', (_req, res) => {
        let body = ''
        res.on('data', (d: Buffer) => (body += d.toString()))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
      })
      .on('error', () => {}),
  )
}

/** A refusal as a browser offering the player's subprotocol learns it (live-protocol.ts): a close code and reason. */
const closedAs = async (port: number, camera: string, t?: string) => {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/live/${camera}?token=${t ?? (await token(camera))}`, LIVE_PROTOCOL, {
    origin: ORIGIN,
  })
  ws.on('message', () => {
    throw new Error(`a refused viewer of ${camera} got video`)
  })
  return await new Promise<{ code: number; reason: string }>((resolve, reject) =>
    ws
      .on('close', (code, reason) => resolve({ code, reason: reason.toString() }))
      .on('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}, not a close code`))),
  )
}

/** Live view against GStreamer's RTSP server: real ffmpeg, real WebSockets. */
describe('live view relay (RTSP → WebSocket, MPEG-TS)', () => {
  let rtsp: RtspSource
  let relay: LiveRelay
  let deadUrl: string
  beforeAll(async () => {
    rtsp = await startRtspSource()
    deadUrl = `rtsp://127.0.0.1:${await freePort()}/live` // nothing listens there
    // The test server asks for no credentials; ffmpeg keeps them for a challenge that never comes.
    const withPassword = rtsp.url.replace('rtsp://', 'rtsp://viewer:s3cr%27et@')
    const sources: Record<string, string> = { 'cam-gate': withPassword, 'cam-dead': deadUrl, 'cam-other': rtsp.url }
    relay = await startLiveRelay({
      maxStreams: 1,
      idleTimeoutMs: 300,
      startTimeoutMs: 10_000,
      source: (c) => sources[c] ?? null,
      admission,
      clock: systemClock,
      log: pino({ level: 'silent' }),
    })
  }, 30_000)
  afterAll(async () => {
    await relay?.close()
    await stopAll()
  })
  const open = (camera: string) => connect(relay.port, camera)
  const refusal = async (camera: string) => (await refused(relay.port, camera)).status

  it('refuses a viewer without a valid token for that camera, or from a foreign origin, before any stream starts', async () => {
    const cases = [
      { name: 'no token', camera: 'cam-gate', o: { token: null }, status: 401, reason: 'token_missing' },
      {
        name: 'expired',
        camera: 'cam-gate',
        o: { token: await token('cam-gate', { ageMs: 61_000 }) },
        status: 401,
        reason: 'token_expired',
      },
      {
        name: 'another camera',
        camera: 'cam-gate',
        o: { token: await token('cam-other') },
        status: 403,
        reason: 'token_camera',
      },
      {
        name: 'foreign origin',
        camera: 'cam-gate',
        o: { origin: 'https://evil.example' },
        status: 403,
        reason: 'origin_refused',
      },
      { name: 'no origin', camera: 'cam-gate', o: { origin: null }, status: 403, reason: 'origin_refused' },
      {
        name: 'untrusted key',
        camera: 'cam-gate',
        o: { token: await token('cam-gate', { key: generateKeyPairSync('ed25519').privateKey }) },
        status: 401,
        reason: 'token_invalid',
      },
      { name: 'garbage', camera: 'cam-gate', o: { token: 'not.a.jwt' }, status: 401, reason: 'token_invalid' },
      // An unknown camera is not revealed to someone without a token for it.
      {
        name: 'unknown camera, no token',
        camera: 'no-such-camera',
        o: { token: null },
        status: 401,
        reason: 'token_missing',
      },
    ]
    // The player's subprotocol: the same refusal as a close code, and still no stream.
    expect(await closedAs(relay.port, 'cam-gate', await token('cam-gate', { ageMs: 61_000 }))).toEqual({
      code: 4401,
      reason: 'token_expired',
    })
    for (const c of cases) {
      const { status, body } = await refused(relay.port, c.camera, c.o)
      expect({
        name: c.name,
        status,
        reason: (JSON.parse(body) as { error: { reason: string } }).error.reason,
      }).toEqual({ name: c.name, status: c.status, reason: c.reason })
      expect(body).toMatch(/"code":"PL_(UNAUTHENTICATED|FORBIDDEN)"/)
    }
    expect(relay.refusals()).toEqual({
      token_missing: 2,
      token_expired: 2,
      token_camera: 1,
      origin_refused: 2,
      token_invalid: 2,
    })
    expect(relay.streams()).toEqual([])
  }, 30_000)

  it('delivers MPEG-TS from the camera, refuses a second camera over the limit, and tears the stream down when idle', async () => {
    // The console's token (EC P-256) opens it as well as the cloud's.
    const ws = await connect(relay.port, 'cam-gate', { token: await token('cam-gate', { key: consoleKey.privateKey }) })
    const chunks: Buffer[] = []
    ws.on('message', (data: Buffer) => chunks.push(data))
    await waitFor(() => Buffer.concat(chunks).length >= 188 * 20, {
      timeoutMs: 15_000,
      message: 'MPEG-TS bytes over the WebSocket',
    })
    const ts = Buffer.concat(chunks)
    // MPEG-TS: 188-byte packets, each starting with the sync byte 0x47 (ISO/IEC 13818-1 §2.4.3.2).
    expect([0, 188, 376, 188 * 19].map((i) => ts[i])).toEqual([0x47, 0x47, 0x47, 0x47])
    const [stream] = relay.streams()
    expect(stream).toMatchObject({ camera: 'cam-gate', viewers: 1 })
    expect(alive(stream!.pid)).toBe(true)
    // The camera's password is not in ffmpeg's command line (brief §7).
    expect(cmdline(stream!.pid!)).toContain('ffmpeg')
    expect(cmdline(stream!.pid!)).not.toMatch(/s3cr|viewer|rtsp:/)

    expect(await refusal('cam-other')).toBe(503)
    expect(await refusal('no-such-camera')).toBe(404)
    expect(await closedAs(relay.port, 'cam-other')).toEqual({ code: 4503, reason: 'stream_limit 1/1' })
    expect(await closedAs(relay.port, 'no-such-camera')).toEqual({ code: 4404, reason: 'unknown_camera' })

    ws.close()
    await waitFor(() => relay.streams().length === 0, { message: 'idle stream torn down' })
    await waitFor(() => !alive(stream!.pid), { message: 'ffmpeg ended' })
    expect(relay.lastError('cam-gate')).toBeNull()
  }, 30_000)

  it('closes the viewer with the reason when the stream never starts', async () => {
    const ws = await open('cam-dead')
    const closed = await new Promise<{ code: number; reason: string }>((resolve) =>
      ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    )
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
    const hung = await startLiveRelay({
      maxStreams: 1,
      idleTimeoutMs: 300,
      startTimeoutMs: 1_000,
      source: () => `rtsp://user:secret@127.0.0.1:${port}/live`,
      admission,
      clock: systemClock,
      log: pino({ level: 'silent' }),
    })
    try {
      const ws = await connect(hung.port, 'cam-hung')
      await waitFor(() => hung.streams().length === 1)
      const pid = hung.streams()[0]!.pid
      expect(cmdline(pid!)).not.toContain('secret')
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
