import { describe, expect, it } from 'vitest'
import { createInbox, type Lane } from './inbox.ts'

/** A handler the test releases one message at a time. */
function gated() {
  const handled: string[] = []
  let release: (() => void) | null = null
  const handle = (m: string) =>
    new Promise<void>((resolve) => {
      handled.push(m)
      release = resolve
    })
  const step = async () => {
    const r = release
    release = null
    r?.()
    await new Promise((r2) => setImmediate(r2))
  }
  return { handled, handle, step }
}

describe('cloud inbox', () => {
  it('handles one message at a time, live ahead of the backlog that arrived before it', async () => {
    const g = gated()
    const inbox = createInbox(g.handle)
    const acked: string[] = []
    const push = (m: string, lane: Lane) => inbox.push(m, lane, () => acked.push(m))
    push('b1', 'backlog')
    push('b2', 'backlog')
    push('b3', 'backlog')
    push('live1', 'live')
    await g.step() // b1 was already being handled
    await g.step()
    await g.step()
    await g.step()
    expect(g.handled).toEqual(['b1', 'live1', 'b2', 'b3'])
    expect(acked).toEqual(['b1', 'b2', 'b3', 'live1']) // taken off the broker as they came
    expect(inbox.size()).toBe(0)
  })

  it('live overtakes the backlog, but a steady live stream does not starve it: one backlog message after every liveBurst live', async () => {
    const g = gated()
    const inbox = createInbox(g.handle, { liveBurst: 3, highWater: 100 })
    const push = (m: string, lane: Lane) => inbox.push(m, lane, () => {})
    push('first', 'live')
    for (const b of ['b1', 'b2']) push(b, 'backlog')
    let n = 0
    // Live arrives as fast as it is handled: always one more waiting.
    for (let k = 0; k < 9; k++) {
      push(`l${++n}`, 'live')
      await g.step()
    }
    expect(g.handled).toEqual(['first', 'l1', 'l2', 'l3', 'b1', 'l4', 'l5', 'l6', 'b2', 'l7'])
  })

  it('beyond the high-water mark, PUBACK waits until the message is handled (the broker keeps the rest)', async () => {
    const g = gated()
    const inbox = createInbox(g.handle, { highWater: 2 })
    const acked: string[] = []
    for (const m of ['a', 'b', 'c', 'd']) inbox.push(m, 'backlog', () => acked.push(m))
    expect(acked).toEqual(['a', 'b', 'c']) // 'a' is being handled, 'b' and 'c' wait: the mark
    await g.step()
    await g.step()
    await g.step()
    expect(g.handled).toEqual(['a', 'b', 'c', 'd'])
    expect(acked).toEqual(['a', 'b', 'c']) // 'd' is being handled: its PUBACK comes after
    await g.step()
    expect(acked).toEqual(['a', 'b', 'c', 'd'])
  })

  it('close lets the message being handled finish and reports what was left', async () => {
    const g = gated()
    const inbox = createInbox(g.handle, { highWater: 1 })
    const acked: string[] = []
    for (const m of ['a', 'b', 'c']) inbox.push(m, 'live', () => acked.push(m))
    const closed = inbox.close(0)
    await g.step()
    expect(await closed).toBe(2)
    expect(g.handled).toEqual(['a'])
    // 'b' was taken off the broker (its edge resends it: no cloud ack); 'c' stays un-PUBACKed.
    expect(acked).toEqual(['a', 'b'])
  })
})
