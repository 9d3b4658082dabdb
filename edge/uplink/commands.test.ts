import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { decodeCommand, decodeCommandResponse, encode } from '../../shared/wire/codec.ts'
import type { Command } from '../../shared/wire/command.ts'
import type { Outbox, OutboxBatch } from '../outbox/outbox.ts'
import { openSqliteOutbox } from '../outbox/sqlite-outbox.ts'
import { answerCommand } from './commands.ts'
import { ErrorCodes, ParklinkError } from '../../shared/errors.ts'

const T0 = 1_700_000_000_000
const sample = (i: number) => ({ point: 'p.1', ts: T0 + i, value: i, quality: 'good' as const })
const command = (cmd: Command['cmd']): Command => ({ v: 1, id: 'c-1', edge: 'e1', ts: T0, cmd })

describe('edge command answers', () => {
  let dir: string
  let outbox: Outbox
  let republished: OutboxBatch[]
  const answer = (cmd: Command['cmd']) =>
    answerCommand(command(cmd), {
      edge: 'e1',
      session: 's-1',
      outbox,
      drivers: () => [],
      republish: (b) => republished.push(...b),
      now: () => T0 + 5,
    })

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'parklink-cmd-'))
    // Room for about two batches: older ones are evicted (and recorded as a gap).
    outbox = openSqliteOutbox({ file: path.join(dir, 'outbox.db'), maxBytes: 200 })
    republished = []
  })
  afterEach(() => {
    outbox.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('a resend accounts for every seq asked: acked before, dropped (gap record), or published again', async () => {
    for (let i = 1; i <= 6; i++) outbox.append([sample(i), sample(i + 100)])
    const floor = outbox.floor()
    expect(floor).toBeGreaterThan(2)
    outbox.ackThrough(floor) // the cloud has the first held batch
    const r = await answer({ type: 'resend', fromSeq: 1, toSeq: 6 })
    expect(r).toMatchObject({ v: 1, id: 'c-1', edge: 'e1', ts: T0 + 5, ok: true })
    if (r.result?.type !== 'resend') throw new Error('not a resend answer')
    const held = Array.from({ length: 6 - floor }, (_, i) => floor + 1 + i)
    expect(r.result.resent).toEqual(held)
    expect(republished.map((b) => b.seq)).toEqual(held)
    expect(r.result.gaps).toMatchObject([{ reason: 'cap', fromSeq: 1, throughSeq: floor - 1 }])
    expect(r.result.alreadyAcked).toBe(floor)
    // Every answer passes the wire schema.
    expect(decodeCommandResponse(encode(r)).ok).toBe(true)
  })

  it('a resend leaves what the send window has not sent yet to the window (queued), publishing only what went out before', async () => {
    outbox = openSqliteOutbox({ file: path.join(dir, 'roomy.db') })
    for (let i = 1; i <= 6; i++) outbox.append([sample(i)])
    // The window sent 1–2 (unacked, maybe lost on the way); 3–6 are the backlog it drains in its turn.
    const r = await answerCommand(command({ type: 'resend', fromSeq: 1, toSeq: 6 }), {
      edge: 'e1',
      session: 's-1',
      outbox,
      drivers: () => [],
      republish: (b) => republished.push(...b),
      unsent: (seq) => seq > 2,
      now: () => T0 + 5,
    })
    if (r.result?.type !== 'resend') throw new Error('not a resend answer')
    expect(republished.map((b) => b.seq)).toEqual([1, 2])
    expect(r.result).toMatchObject({ resent: [1, 2], queued: 4, alreadyAcked: 0, gaps: [] })
    expect(decodeCommandResponse(encode(r)).ok).toBe(true)
  })

  it('answers ping and status; a failing outbox is an error answer, not a throw', async () => {
    outbox.append([sample(1)])
    expect((await answer({ type: 'ping' })).result).toEqual({ type: 'pong', session: 's-1' })
    expect((await answer({ type: 'status' })).result).toMatchObject({
      type: 'status',
      session: 's-1',
      lastSeq: 1,
      ackedThrough: 0,
      outbox: { batches: 1, samples: 1 },
      drivers: [],
    })
    outbox.close()
    expect(await answer({ type: 'status' })).toMatchObject({
      ok: false,
      error: { code: 'PL_OUTBOX_FAILED', message: expect.stringMatching(/after close/) },
    })
  })

  it('the command schema refuses a reversed range and unknown commands', () => {
    expect(decodeCommand(JSON.stringify(command({ type: 'resend', fromSeq: 5, toSeq: 4 })))).toMatchObject({
      ok: false,
      error: expect.stringMatching(/toSeq/),
    })
    expect(decodeCommand(JSON.stringify({ ...command({ type: 'ping' }), cmd: { type: 'reboot' } })).ok).toBe(false)
    expect(decodeCommand(encode(command({ type: 'resend', fromSeq: 4, toSeq: 5 })))).toMatchObject({ ok: true })
  })

  it('a snapshot command starts the named cameras with the command id as request; refused without cameras or a uuid id', async () => {
    const id = '0b6a8c1e-5f2d-4f7a-9a51-2d3c4b5a6f70'
    const asked: unknown[] = []
    const deps = { edge: 'e1', session: 's-1', outbox, drivers: () => [], republish: () => {}, now: () => T0 + 5 }
    const snap = { type: 'snapshot' as const, alarm: 42, cameras: ['cam-gate'] }
    const r = await answerCommand({ ...command(snap), id }, { ...deps, snapshot: (req) => asked.push(req) })
    expect(r).toMatchObject({ ok: true, result: { type: 'snapshot', cameras: ['cam-gate'] } })
    expect(asked).toEqual([{ id, edge: 'e1', alarm: 42, cameras: ['cam-gate'], ts: T0 }])
    expect(await answerCommand({ ...command(snap), id }, deps)).toMatchObject({
      ok: false,
      error: { code: 'PL_BAD_REQUEST', message: 'this edge has no cameras' },
    })
    expect(await answerCommand(command(snap), { ...deps, snapshot: (req) => asked.push(req) })).toMatchObject({
      ok: false,
      error: { message: expect.stringMatching(/uuid/) },
    })
    expect(asked).toHaveLength(1)
    // The wire schema carries it both ways.
    expect(decodeCommand(encode({ ...command(snap), id }))).toMatchObject({ ok: true, value: { cmd: snap } })
    expect(decodeCommandResponse(encode(r))).toMatchObject({ ok: true })
  })

  it('a read command reads the point now and answers with the sample; refused without a reader, an error answer when the read fails', async () => {
    const deps = { edge: 'e1', session: 's-1', outbox, drivers: () => [], republish: () => {}, now: () => T0 + 5 }
    const read = { type: 'read' as const, point: 'p.1' }
    const r = await answerCommand(command(read), {
      ...deps,
      readPoint: async (point) => ({ point, ts: T0 + 4, value: 7.5, quality: 'good' }),
    })
    expect(r).toMatchObject({
      ok: true,
      result: { type: 'read', sample: { point: 'p.1', value: 7.5, quality: 'good' } },
    })
    expect(decodeCommandResponse(encode(r))).toMatchObject({ ok: true })
    expect(await answerCommand(command(read), deps)).toMatchObject({ ok: false, error: { code: 'PL_BAD_REQUEST' } })
    const failing = await answerCommand(command(read), {
      ...deps,
      readPoint: () =>
        Promise.reject(new ParklinkError(ErrorCodes.NOT_FOUND, 'no polled device on this edge reads point p.1')),
    })
    expect(failing).toMatchObject({
      ok: false,
      error: { code: 'PL_NOT_FOUND', message: expect.stringMatching(/p\.1/) },
    })
  })
})
