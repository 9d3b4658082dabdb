import { errorMessage } from '../../shared/errors.ts'
import type { TopicAddress } from '../../shared/wire/topics.ts'
import { RejectReasons } from '../metrics.ts'
import { reject, type InboundMessage, type IngestContext, type Rejected } from './context.ts'
import type { Verdict } from './ownership.ts'

export type Judged = { verdict: Verdict } | { refused: Rejected | { kind: 'failed'; error: string } }

/**
 * Who may send what (issue 13), the same for data and status messages: the ownership verdict
 * for the ids a message names, or its refusal. A registered edge speaking under another site is
 * refused whole (`site_mismatch`); a store error is a failure (not acked: the edge resends).
 */
export async function judgeSender(
  ctx: IngestContext,
  msg: InboundMessage,
  address: TopicAddress,
  ids: { points: Iterable<string>; cameras: Iterable<string> },
): Promise<Judged> {
  let verdict: Verdict
  try {
    verdict = await ctx.ownership.judge(address.site, address.edge, ids.points, ids.cameras)
  } catch (err) {
    ctx.metrics.ingest.failed++
    ctx.log.error(
      { topic: msg.topic, edge: address.edge, err },
      'ownership not known (store error): message not stored, not acked (the edge will resend)',
    )
    return { refused: { kind: 'failed', error: errorMessage(err) } }
  }
  if (verdict.siteMismatch !== null) {
    return {
      refused: reject(
        ctx,
        msg,
        RejectReasons.SITE_MISMATCH,
        `edge "${address.edge}" is registered at site "${verdict.siteMismatch}", not "${address.site}"`,
      ),
    }
  }
  return { verdict }
}
