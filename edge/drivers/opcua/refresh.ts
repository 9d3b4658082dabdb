import { AttributeIds, type DataValue } from 'node-opcua'
import { errorMessage } from '../../../shared/errors.ts'
import { QualityReasons } from '../../../shared/quality.ts'
import { badSample, type Sample } from '../../../shared/wire/sample.ts'
import type { OpcuaPointConfig } from './config.ts'
import { withTimeout, type Connection } from './connection.ts'

/**
 * Liveness of subscribed points (issue 14, brief §3 "every point refreshed at least every 5 min
 * even when unchanged"): a monitored item notifies only on change, so a steady tank level would
 * never be sent again. The framework asks for the points silent for their refresh interval; they
 * are read here in ONE Read service call (OPC UA Part 4 §5.10.2, maxAge 0: the server reads its
 * source), and stamped with the server's timestamp of that read: the value is confirmed now, while
 * its source timestamp still says when it last changed. A point whose read fails turns bad with
 * the reason (the node's status code, or why the request failed).
 */
export async function refreshRead(
  connection: Connection,
  points: readonly OpcuaPointConfig[],
  timeoutMs: number,
  toSample: (p: OpcuaPointConfig, dv: DataValue, ts: number) => Sample,
  now: () => number,
): Promise<Sample[]> {
  try {
    const values = await withTimeout(
      connection.session.read(
        points.map((p) => ({ nodeId: p.nodeId, attributeId: AttributeIds.Value })),
        0,
      ),
      timeoutMs,
      'refreshing silent points',
    )
    return points.map((p, k) => {
      const dv = values[k]
      if (!dv)
        return badSample(
          p.id,
          now(),
          `${QualityReasons.MALFORMED}:the server answered the refresh read without this node`,
        )
      return toSample(p, dv, dv.serverTimestamp?.getTime() ?? now())
    })
  } catch (err) {
    const timedOut = (err as { code?: unknown }).code === 'ETIMEDOUT'
    const reason =
      `${timedOut ? QualityReasons.TIMEOUT : QualityReasons.UNREACHABLE}:refresh read failed: ${errorMessage(err)}`.slice(
        0,
        256,
      )
    const at = now()
    return points.map((p) => badSample(p.id, at, reason))
  }
}
