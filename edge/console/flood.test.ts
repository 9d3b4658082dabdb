import { get, request } from 'node:http'
import { mkdtempSync, rmSync } from 'node:fs'
import net from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { Readable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freePort } from '../../test/util/ports.ts'
import { waitFor } from '../../test/util/wait.ts'
import { startEdgeAgent, type EdgeAgent } from '../agent.ts'
import { EdgeConfigSchema, resolveEdgeConfig } from '../config.ts'
import { createLogger } from '../log.ts'

/**
 * The console under a flood, in the agent's own process: an unauthenticated 300 MB upload is
 * refused with 413 while it streams (Content-Length or chunked), the process's memory stays flat,
 * and the login page answers meanwhile; connections over the caps are closed at once.
 */
const MB = 1024 * 1024
const TOTAL = 300 * MB
const CHUNK = Buffer.alloc(64 * 1024, 0x61) // one buffer, sent again and again: the test holds no 300 MB either

describe('local console under a flood', () => {
  let dir: string
  let agent: EdgeAgent
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'parklink-console-flood-'))
    const config = resolveEdgeConfig(
      EdgeConfigSchema.parse({
        site: 'huaian',
        edge: 'e1',
        dataDir: './data',
        uplink: { url: `mqtt://127.0.0.1:${await freePort()}`, reconnectMinMs: 50, reconnectMaxMs: 200 },
        devices: [],
        console: {
          listen: '127.0.0.1:0',
          passwordEnv: 'TEST_CONSOLE_PW',
          maxConnections: 12,
          maxConnectionsPerAddress: 4,
        },
      }),
      dir,
    )
    agent = await startEdgeAgent(config, {
      log: createLogger('console-flood', 'silent'),
      env: { TEST_CONSOLE_PW: 'long-enough-1' },
    })
  })
  afterAll(async () => {
    await agent.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  /** GET /login on a connection of its own (no pooled keep-alive socket that would count against the caps). */
  const loginPageAnswers = () =>
    new Promise<boolean>((resolve, reject) => {
      get(new URL('/login', agent.consoleUrl!), { agent: false }, (res) => {
        res.resume()
        res.on('end', () => resolve(res.statusCode === 200))
      }).on('error', reject)
    })

  /** Streams up to 300 MB from a generator, one reused chunk at a time. */
  async function post300MB(chunked: boolean): Promise<{ status: number; body: string; sent: number }> {
    let sent = 0
    async function* body() {
      while (sent < TOTAL) {
        sent += CHUNK.length
        yield CHUNK
      }
    }
    const headers: Record<string, string | number> = {
      'content-type': 'application/x-www-form-urlencoded',
      ...(chunked ? {} : { 'content-length': TOTAL }),
    }
    return new Promise((resolve, reject) => {
      const req = request(new URL('/login', agent.consoleUrl!), { method: 'POST', headers }, (res) => {
        let text = ''
        res.setEncoding('utf8')
        res.on('data', (d: string) => (text += d))
        res.on('end', () => {
          source.destroy()
          req.destroy()
          resolve({ status: res.statusCode ?? 0, body: text, sent })
        })
      })
      // The server closes the connection after its 413: writes still in flight then fail, as they should.
      req.on('error', (err: NodeJS.ErrnoException) =>
        ['EPIPE', 'ECONNRESET'].includes(err.code ?? '') ? undefined : reject(err),
      )
      const source = Readable.from(body())
      source.pipe(req)
    })
  }

  for (const chunked of [false, true]) {
    it(`refuses a 300 MB POST (${chunked ? 'chunked' : 'Content-Length'}) with 413 PL_PAYLOAD_TOO_LARGE; memory stays flat, the login page answers`, async () => {
      const before = process.memoryUsage()
      // The login page is asked for while the upload streams.
      const [res, answeredDuring] = await Promise.all([post300MB(chunked), loginPageAnswers()])
      const after = process.memoryUsage()
      expect(res.status).toBe(413)
      expect(JSON.parse(res.body)).toMatchObject({ error: { code: 'PL_PAYLOAD_TOO_LARGE', hint: expect.any(String) } })
      expect(res.sent).toBeLessThan(TOTAL) // the upload was cut off, not read to its end
      expect(answeredDuring).toBe(true)
      // Without the limit the form parser held the whole body (the agent grew by > 1 GB).
      expect(after.heapUsed - before.heapUsed).toBeLessThan(16 * MB)
      expect(after.rss - before.rss).toBeLessThan(64 * MB)
      expect(await loginPageAnswers()).toBe(true)
    })
  }

  it('closes connections over the per-address cap at once and keeps serving', async () => {
    const sockets: net.Socket[] = []
    const closed: net.Socket[] = []
    try {
      const { port } = new URL(agent.consoleUrl!)
      for (let i = 0; i < 10; i++) {
        const s = net.connect({ port: Number(port), host: '127.0.0.1' })
        s.on('error', () => {})
        s.on('close', () => closed.push(s))
        sockets.push(s)
      }
      // Four idle connections are held; the six others are closed without waiting for anything.
      await waitFor(() => closed.length === 6, { message: () => `${closed.length} of 10 idle connections closed` })
      expect(sockets.filter((s) => !s.destroyed)).toHaveLength(4)
    } finally {
      for (const s of sockets) s.destroy()
    }
    // The held slots are freed when their sockets close.
    await waitFor(() => loginPageAnswers())
  })
})
