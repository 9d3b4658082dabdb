import type { Replica } from './stack.ts'

/**
 * `--replicas N` (issue 16): while the campaign's faults run, one replica is killed (SIGKILL:
 * nothing released by it, PostgreSQL ends its lock session) every 20–40 s and started again a
 * few seconds later, as systemd would. The victim is the replica that owns the edge (the last
 * "edge taken" of the edge among the running processes' logs), so every kill is a takeover; its
 * time is kill → the cloud acks a batch newer than its mark at the kill (a survivor stored it).
 */
export interface ReplicaKills {
  /** Takeover times, ms, one per kill of the edge's owner (null: no new ack within the bound). */
  readonly takeovers: Array<number | null>
  /** Ends the loop after the kill in progress (its replica restarted). */
  stop(): Promise<void>
}

export function startReplicaKills(o: {
  replicas: readonly Replica[]
  edge: string
  /** The edge's acked-through mark as the cloud reports it (any live replica's API), -1 when unknown. */
  acked: () => Promise<number>
  random: () => number
  say: (line: string) => void
  /** Runs a kill and its takeover alone (no other fault meanwhile: a database restart would be timed as the takeover). */
  alone: <T>(work: () => Promise<T>) => Promise<T>
}): ReplicaKills {
  const takeovers: Array<number | null> = []
  let stopped = false
  let wake: (() => void) | null = null
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(resolve, ms)
      wake = () => {
        clearTimeout(t)
        resolve()
      }
    })

  const owner = (): Replica | undefined => {
    let best: { r: Replica; at: number } | undefined
    for (const r of o.replicas) {
      const at = lastTaken(r.process.current().output(), o.edge)
      if (at !== undefined && (!best || at > best.at)) best = { r, at }
    }
    return best?.r
  }

  const takeover = async (before: number, killedAt: number): Promise<number | null> => {
    const bound = killedAt + 120_000
    while (Date.now() < bound) {
      if ((await o.acked().catch(() => -1)) > before) return Date.now() - killedAt
      await new Promise((r) => setTimeout(r, 100))
    }
    return null
  }

  const loop = (async () => {
    while (!stopped) {
      await pause(20_000 + o.random() * 20_000)
      if (stopped) break
      await o.alone(async () => {
        const victim = owner()
        if (!victim) return o.say('  replica kill skipped: no replica has taken the edge yet')
        const before = await o.acked()
        const killedAt = Date.now()
        const measured = takeover(before, killedAt)
        o.say(`replica kill: ${victim.name} (owns ${o.edge}), restarted after a pause`)
        await victim.process.killAndRestart(2_000 + o.random() * 3_000)
        const ms = await measured
        takeovers.push(ms)
        o.say(ms === null ? '  takeover: no new ack within 120 s' : `  takeover: ${(ms / 1000).toFixed(1)} s`)
      })
    }
  })()

  return {
    takeovers,
    async stop() {
      stopped = true
      wake?.()
      await loop
    },
  }
}

/** The pino time of the last "edge taken" line of the edge in a cloud's log. */
function lastTaken(output: string, edge: string): number | undefined {
  let at: number | undefined
  for (const line of output.split('\n'))
    if (line.includes('edge taken') && line.includes(`"edge":"${edge}"`)) {
      const time = /"time":(\d+)/.exec(line)?.[1]
      if (time !== undefined) at = Number(time)
    }
  return at
}
