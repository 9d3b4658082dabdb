import { ErrorCodes, ParklinkError, errorMessage } from '../../shared/errors.ts'
import type { Sample } from '../../shared/wire/sample.ts'
import type { SnapshotRequest } from '../../shared/wire/camera.ts'
import type { RegistryHint } from '../../shared/wire/registry-hint.ts'
import type { Command, CommandResponse, CommandResult } from '../../shared/wire/command.ts'
import { WIRE_VERSION, type DriverReport } from '../../shared/wire/messages.ts'
import type { Outbox, OutboxBatch } from '../outbox/outbox.ts'
import { outboxReport } from './status.ts'

/** Most batches one resend command publishes again (the cloud asks for the rest later). */
export const RESEND_MAX_BATCHES = 1_000

export interface CommandDeps {
  edge: string
  session: string
  outbox: Outbox
  drivers: () => DriverReport[]
  /** Publishes batches again (the uplink's data path; the cloud deduplicates by (edge, outbox, seq)). */
  republish: (batches: readonly OutboxBatch[]) => void
  /**
   * A seq the send window will publish anyway (not yet sent on this connection, forward.ts
   * `unsent`): a resend leaves it to the window, paced behind live data. Absent: none.
   */
  unsent?: (seq: number) => boolean
  now: () => number
  /** Starts the pictures of a `snapshot` command (they follow through the outbox); absent without cameras. */
  snapshot?: (request: SnapshotRequest) => void
  /** Reads one point now (the poller's readNow); absent: the command is refused. */
  readPoint?: (point: string) => Promise<Sample>
  /** Keeps the registry's ownership hint for the console (edge/registry-hint.ts); absent: refused. */
  registryHint?: (hint: RegistryHint) => void
}

/** A command this edge cannot carry out (e.g. snapshots without cameras): answered, not fatal. */
class Refused extends Error {}

/**
 * Answers one command from the cloud (shared/wire/command.ts). A resend publishes what the
 * outbox still holds of the range and this connection already sent (what it has not sent yet
 * follows through the send window, counted as `queued`); for what it dropped it answers with the gap records, and it
 * counts what the cloud already acked, so every seq asked for is accounted for.
 */
export async function answerCommand(command: Command, deps: CommandDeps): Promise<CommandResponse> {
  const base = { v: WIRE_VERSION, id: command.id, edge: deps.edge } as const
  try {
    const result = await run(command, deps)
    return { ...base, ts: deps.now(), ok: true, result }
  } catch (err) {
    const code =
      err instanceof Refused
        ? ErrorCodes.BAD_REQUEST
        : err instanceof ParklinkError
          ? err.code
          : ErrorCodes.OUTBOX_FAILED
    return { ...base, ts: deps.now(), ok: false, error: { code, message: errorMessage(err).slice(0, 1024) } }
  }
}

async function run(command: Command, deps: CommandDeps): Promise<CommandResult> {
  const cmd = command.cmd
  switch (cmd.type) {
    case 'ping':
      return { type: 'pong', session: deps.session }
    case 'status': {
      const stats = deps.outbox.stats()
      return {
        type: 'status',
        session: deps.session,
        outbox: outboxReport(stats),
        lastSeq: stats.lastSeq,
        ackedThrough: stats.ackedThrough,
        drivers: deps.drivers(),
      }
    }
    case 'resend': {
      const stats = deps.outbox.stats()
      const toSeq = Math.min(cmd.toSeq, cmd.fromSeq + RESEND_MAX_BATCHES - 1)
      const held = deps.outbox.peek(cmd.fromSeq - 1, toSeq - cmd.fromSeq + 1).filter((b) => b.seq <= toSeq)
      const unsent = deps.unsent ?? (() => false)
      const again = held.filter((b) => !unsent(b.seq))
      if (again.length > 0) deps.republish(again)
      const alreadyAcked = Math.max(0, Math.min(toSeq, stats.ackedThrough) - cmd.fromSeq + 1)
      return {
        type: 'resend',
        resent: again.map((b) => b.seq),
        ...(again.length < held.length ? { queued: held.length - again.length } : {}),
        alreadyAcked,
        gaps: deps.outbox.gapsOverlapping(cmd.fromSeq, toSeq),
      }
    }
    case 'snapshot': {
      if (!deps.snapshot) throw new Refused('this edge has no cameras')
      // The pictures name their request: a uuid, as shared/wire/camera.ts requires.
      if (!/^[0-9a-f-]{36}$/.test(command.id)) throw new Refused('a snapshot command needs a uuid id')
      deps.snapshot({ id: command.id, edge: deps.edge, alarm: cmd.alarm, cameras: cmd.cameras, ts: command.ts })
      return { type: 'snapshot', cameras: cmd.cameras }
    }
    case 'read': {
      if (!deps.readPoint) throw new Refused('this edge reads no points on request')
      return { type: 'read', sample: await deps.readPoint(cmd.point) }
    }
    case 'registry.hint':
      if (!deps.registryHint) throw new Refused('this edge keeps no registry hint (no console configured)')
      deps.registryHint(cmd.hint)
      return { type: 'registry.hint', own: cmd.hint.own.length, foreign: cmd.hint.foreign.length }
    case 'config.push':
      // With park.publicKeyFile the uplink hands pushes to the supervisor (edge/park/), never here.
      throw new ParklinkError(ErrorCodes.BUNDLE_NOT_ENABLED, 'this edge takes no pushed configuration', {
        hint: 'set park.publicKeyFile in the edge config to the park signing key (public part)',
      })
  }
}
