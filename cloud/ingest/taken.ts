import type { CommandChannel } from './commands.ts'
import type { IngestContext } from './context.ts'
import { publishAck } from './handle-data.ts'

/** Most seqs one takeover resend asks for (the edge caps a resend at the same; holes.ts asks for the rest). */
const TAKEOVER_RESEND_MAX = 1_000

/**
 * An edge this replica just took over (issue 16), its marks rebuilt from the store: tell the edge
 * the mark (the previous owner's last ack may not have reached it) and ask it to resend what
 * follows, so batches the previous owner took off the broker and never stored come again now,
 * not after the edge's ack timeout; what was stored after all is deduplicated (acked again).
 */
export function edgeTaken(ctx: IngestContext, commands: CommandChannel, siteOf: (edge: string) => string | undefined) {
  return (edge: string): void => {
    const site = siteOf(edge)
    if (site === undefined) return
    const through = ctx.tracker.through(edge)
    if (through > 0) publishAck(ctx, site, edge, through, ctx.tracker.latest(edge))
    commands.send(site, edge, { type: 'resend', fromSeq: through + 1, toSeq: through + TAKEOVER_RESEND_MAX })
  }
}
