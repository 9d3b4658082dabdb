import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import https from 'node:https'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { registry, storeKey, tempDir } from '../../test/cloud/helpers.ts'
import { freshDatabase, startTemplateCluster, type TestDatabase } from '../../test/util/pg-databases.ts'
import { freePort } from '../../test/util/ports.ts'
import type { TestPostgres } from '../../test/util/postgres.ts'
import { waitFor } from '../../test/util/wait.ts'
import { CloudConfigSchema } from '../../cloud/config.ts'
import { type RunningCloud, startCloud } from '../../cloud/service.ts'

/**
 * Issue 16: the shipped nginx configuration (deploy/nginx/parklink-cloud.conf) in front of two
 * cloud replicas on one PostgreSQL database. Debian's nginx runs from a temp prefix as this user,
 * with only the example addresses, the ports and the certificate swapped for the test's. One
 * replica stops: requests keep being answered through the other, and the alarm stream reconnects
 * through the proxy with Last-Event-ID and gets what it missed, once.
 */
const NGINX = '/usr/sbin/nginx'
const SHIPPED = new URL('./parklink-cloud.conf', import.meta.url).pathname

let pg: TestPostgres
let db: TestDatabase
let work: ReturnType<typeof tempDir>
const replicas: RunningCloud[] = []
let nginx: ChildProcess | null = null
let base = ''
let cert = ''

/** The shipped file with each swapped line named; a line the file no longer has fails here, loudly. */
function render(shipped: string, swaps: Array<[RegExp, string]>): string {
  let text = shipped
  for (const [from, to] of swaps) {
    expect(text, `the shipped config has ${from}`).toMatch(from)
    text = text.replace(from, to)
  }
  return text
}

async function startReplica(id: string): Promise<RunningCloud> {
  const dir = path.join(work.dir, id)
  const cloud = await startCloud(
    CloudConfigSchema.parse({
      dataDir: dir,
      http: { host: '127.0.0.1', port: 0, trustedProxies: ['127.0.0.1'] },
      mqtt: { url: 'mqtt://127.0.0.1:1', clientId: `cloud-${id}-${process.pid}`, reconnectPeriodMs: 60_000 },
      log: { level: 'silent' },
      registry,
      store: { engine: 'postgres', url: db.url, poolSize: 4 },
    }),
  )
  replicas.push(cloud)
  return cloud
}

/** GET through the proxy, trusting the test's certificate only. */
function get(p: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = https.get(`${base}${p}`, { ca: cert, headers }, (res) => {
      let body = ''
      res.on('data', (c) => (body += c))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
    })
    req.on('error', reject)
  })
}

interface Ev {
  event: string
  id: string | null
  data: string
}
/** An SSE reader over HTTPS (test/util/sse.ts speaks fetch, which cannot be given a CA). */
function stream(headers: Record<string, string>) {
  const events: Ev[] = []
  let ended = false
  const req = https.get(`${base}/api/v1/alarms/stream`, { ca: cert, headers }, (res) => {
    let buffer = ''
    res.setEncoding('utf8')
    res.on('data', (chunk: string) => {
      buffer += chunk
      let end: number
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end)
        buffer = buffer.slice(end + 2)
        const field = (name: string) => [...block.matchAll(/^(\w+): ?(.*)$/gm)].find((m) => m[1] === name)?.[2]
        const event = field('event')
        if (event) events.push({ event, id: field('id') ?? null, data: field('data') ?? '' })
      }
    })
    res.on('close', () => (ended = true))
  })
  req.on('error', () => (ended = true))
  return {
    events,
    get ended() {
      return ended
    },
    close: () => req.destroy(),
  }
}

const raise = (cloud: RunningCloud, n: number) =>
  cloud.store.raiseSystemAlarm({
    point: `edge:e${n}`,
    kind: 'OFFLINE',
    priority: 'B',
    ts: Date.now(),
    value: 61,
    limit: 60,
  })

describe.skipIf(!existsSync(NGINX))('nginx in front of two replicas (deploy/nginx/parklink-cloud.conf)', () => {
  beforeAll(async () => {
    work = tempDir('parklink-nginx-')
    pg = await startTemplateCluster()
    db = await freshDatabase(pg.url)
    process.env.PARKLINK_TOKEN_SECRET = 'nginx-test-secret-0123456789abcdefghijklmnop'
    const [a, b] = [await startReplica('a'), await startReplica('b')]
    // A throwaway certificate for 127.0.0.1 (the shipped file names the park's).
    const key = path.join(work.dir, 'tls.key')
    const crt = path.join(work.dir, 'tls.crt')
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        key,
        '-out',
        crt,
      ],
      { stdio: 'ignore' },
    )
    cert = readFileSync(crt, 'utf8')
    const [httpPort, httpsPort] = [await freePort(), await freePort()]
    const site = render(readFileSync(SHIPPED, 'utf8'), [
      [/server 10\.20\.0\.11:8080/, `server 127.0.0.1:${a.port}`],
      [/server 10\.20\.0\.12:8080/, `server 127.0.0.1:${b.port}`],
      [/listen 80;/, `listen 127.0.0.1:${httpPort};`],
      [/ *listen \[::\]:80;\n/, ''],
      [/listen 443 ssl http2;/, `listen 127.0.0.1:${httpsPort} ssl http2;`],
      [/ *listen \[::\]:443 ssl http2;\n/, ''],
      [/\/etc\/parklink\/proxy\/tls\.crt/, crt],
      [/\/etc\/parklink\/proxy\/tls\.key/, key],
    ])
    const prefix = path.join(work.dir, 'nginx')
    for (const d of ['', 'temp', 'logs']) mkdirSync(path.join(prefix, d), { recursive: true })
    writeFileSync(path.join(prefix, 'parklink-cloud.conf'), site)
    const temp = (k: string) => `${k}_temp_path ${path.join(prefix, 'temp', k)};`
    writeFileSync(
      path.join(prefix, 'nginx.conf'),
      [
        process.getuid?.() === 0 ? 'user root;' : '',
        `pid ${path.join(prefix, 'nginx.pid')};`,
        `error_log ${path.join(prefix, 'logs', 'error.log')} warn;`,
        'worker_processes 1;',
        'events { worker_connections 256; }',
        `http { access_log off; ${['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map(temp).join(' ')}`,
        `  include ${path.join(prefix, 'parklink-cloud.conf')}; }`,
      ].join('\n'),
    )
    nginx = spawn(NGINX, ['-p', prefix, '-c', path.join(prefix, 'nginx.conf'), '-g', 'daemon off;'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    })
    let stderr = ''
    nginx.stderr?.on('data', (d) => (stderr += d))
    base = `https://127.0.0.1:${httpsPort}`
    await waitFor(async () => (await get('/api/v1/health')).status === 200, {
      timeoutMs: 15_000,
      message: () => `nginx answers (stderr: ${stderr})`,
    })
  }, 180_000)

  afterAll(async () => {
    nginx?.kill('SIGTERM')
    if (nginx && nginx.exitCode === null) await new Promise((resolve) => nginx!.once('exit', resolve))
    for (const r of replicas) await r.stop()
    await db?.drop()
    await pg?.stop()
    delete process.env.PARKLINK_TOKEN_SECRET
    work?.remove()
  })

  it('one replica stops: requests go on through the other, and the stream resumes by Last-Event-ID', async () => {
    const key = await storeKey(replicas[0]!.store)
    const auth = { authorization: `Bearer ${key}` }
    const first = stream(auth)
    await waitFor(() => first.events.some((e) => e.event === 'ready'), { message: 'the stream opens through nginx' })
    await raise(replicas[0]!, 1)
    const seen = await waitFor(() => first.events.find((e) => e.event === 'raise'), { message: 'a raise' })
    // The replica that serves this stream (its own health says so) is the one to stop.
    const streamsOf = async (r: RunningCloud) =>
      ((await (await fetch(`${r.url}/api/v1/health`, { headers: auth })).json()) as any).http.streams.open as number
    const holder = (await streamsOf(replicas[0]!)) === 1 ? replicas[0]! : replicas[1]!
    const survivor = holder === replicas[0] ? replicas[1]! : replicas[0]!
    await holder.stop()
    await waitFor(() => first.ended, { timeoutMs: 15_000, message: 'the stream ends with its replica' })

    // Meanwhile: changes the dashboard has not seen, and requests that must still be answered.
    await raise(survivor, 2)
    await raise(survivor, 3)
    for (let i = 0; i < 6; i++) expect((await get('/api/v1/alarms?state=all', auth)).status).toBe(200)

    // The dashboard reconnects (through nginx, to whichever replica lives) with the last id it saw.
    const resumed = stream({ ...auth, 'last-event-id': seen.id! })
    await waitFor(() => resumed.events.filter((e) => e.event === 'raise').length >= 2, { message: 'the missed raises' })
    await raise(survivor, 4)
    await waitFor(() => resumed.events.filter((e) => e.event === 'raise').length >= 3, { message: 'a live raise' })
    resumed.close()
    const ids = resumed.events.filter((e) => e.event === 'raise').map((e) => Number(e.id))
    expect(ids).toHaveLength(3)
    expect(new Set(ids).size).toBe(3)
    expect(ids.every((id) => id > Number(seen.id))).toBe(true)
    const points = resumed.events
      .filter((e) => e.event === 'raise')
      .map((e) => (JSON.parse(e.data) as { alarm: { point: string } }).alarm.point)
    expect(points).toEqual(['edge:e2', 'edge:e3', 'edge:e4'])
  })
})
