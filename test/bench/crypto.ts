import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { ReplayGuard } from '../../shared/crypto/replay.ts'
import { createSealer, type Sealer } from '../../shared/crypto/sealer.ts'
import type { SigningSuite } from '../../shared/crypto/suite.ts'
import { decodeData, encode } from '../../shared/wire/codec.ts'
import type { DataBatch } from '../../shared/wire/messages.ts'
import { makeTestPki } from '../util/crypto-pki.ts'
import { result, type BenchResult } from './table.ts'

/**
 * Issue 20: the CPU cost per sample of the application layer, edge and cloud together (encode,
 * seal, open, decode of one batch), for off / standard / sm / sm+encrypt, at 10 k and 100 k
 * samples/s with a batch every 100 ms (1 000 and 10 000 samples a batch). Ratios to `off` in the
 * same run.
 */
const EDGE = 'huaian/edge-01'
const TOPIC = `parklink/v1/${EDGE}/data`
type Mode = 'off' | SigningSuite | 'sm+encrypt'

function pair(pki: ReturnType<typeof makeTestPki>, suite: SigningSuite): { edge: Sealer; cloud: Sealer } {
  const make = (kind: 'edge' | 'cloud', name: string) => {
    const m = pki.material(kind, name, suite)
    let ctr = 0
    return createSealer({
      suite,
      identity: name,
      key: m.key,
      cert: m.cert,
      ca: m.ca,
      now: Date.now,
      counter: () => ++ctr,
      guard: new ReplayGuard(),
    })
  }
  const edge = make('edge', EDGE)
  const cloud = make('cloud', 'parklink-cloud')
  cloud.open(TOPIC, edge.seal(TOPIC, Buffer.from('{}'), { withCert: true }), false, { kind: 'edge', cn: EDGE })
  edge.open(TOPIC, cloud.seal(TOPIC, Buffer.from('{}'), { withCert: true }), false, { kind: 'cloud' })
  return { edge, cloud }
}

const batchOf = (n: number, seq: number): DataBatch => ({
  v: 1,
  edge: 'edge-01',
  session: 's',
  outbox: 'outbox-bench01',
  seq,
  floor: seq,
  samples: Array.from({ length: n }, (_, i) => ({
    point: `edge-01.p${i % 500}`,
    ts: 1_700_000_000_000 + i,
    value: i / 7,
    quality: 'good' as const,
  })),
})

function nsPerSample(
  mode: Mode,
  pairs: Record<SigningSuite, { edge: Sealer; cloud: Sealer }>,
  size: number,
  ms: number,
): number {
  const suite: SigningSuite | null = mode === 'off' ? null : mode === 'sm+encrypt' ? 'sm' : mode
  const p = suite ? pairs[suite] : null
  let samples = 0
  let seq = 1
  const start = process.hrtime.bigint()
  const until = start + BigInt(Math.round(ms)) * 1_000_000n
  while (process.hrtime.bigint() < until) {
    const body = encode(batchOf(size, seq++))
    let payload = body
    if (p) {
      const sealed = p.edge.seal(TOPIC, body, mode === 'sm+encrypt' ? { to: 'parklink-cloud' } : {})
      const opened = p.cloud.open(TOPIC, sealed, false, { kind: 'edge', cn: EDGE })
      if (!opened.ok) throw new Error(`bench: ${opened.reason} ${opened.error}`)
      payload = opened.body
    }
    if (!decodeData(payload).ok) throw new Error('bench: batch does not decode')
    samples += size
  }
  return Number(process.hrtime.bigint() - start) / samples
}

export function benchCrypto(seconds: number): BenchResult[] {
  const dir = mkdtempSync(path.join(tmpdir(), 'parklink-bench-crypto-'))
  const pki = makeTestPki(dir)
  try {
    const pairs = { sm: pair(pki, 'sm'), standard: pair(pki, 'standard') }
    const ms = Math.max(200, (seconds * 1000) / 8)
    const out: BenchResult[] = []
    for (const rate of [10_000, 100_000]) {
      const size = rate / 10
      // Warm-up (JIT, key caches) of every mode before the measured runs.
      for (const mode of ['off', 'standard', 'sm', 'sm+encrypt'] as const) nsPerSample(mode, pairs, size, ms / 2)
      const off = nsPerSample('off', pairs, size, ms)
      out.push(result(`crypto off: encode+decode per sample @ ${rate / 1000}k samples/s`, off, 'ns/sample'))
      for (const mode of ['standard', 'sm', 'sm+encrypt'] as const) {
        const ns = nsPerSample(mode, pairs, size, ms)
        out.push(
          result(`crypto ${mode}: seal+open+codec per sample @ ${rate / 1000}k samples/s`, ns, 'ns/sample', {
            baseline: off,
          }),
        )
      }
    }
    return out
  } finally {
    pki.dispose()
    rmSync(dir, { recursive: true, force: true })
  }
}
