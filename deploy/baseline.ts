import { mkdirSync } from 'node:fs'
import path from 'node:path'
import { ErrorCodes, ParklinkError } from '../shared/errors.ts'
import { openBaselineStore, type BaselineRecord } from '../edge/derived/baselines.ts'
import { loadEdgeConfig } from '../edge/config.ts'
import { openAtRest } from '../edge/at-rest/open.ts'

/**
 * `parklink edge baseline`: asks the running edge agent to capture a settlement baseline for a
 * segment (recorded with who and why), waits for it, and prints it; `--list` prints the
 * history. The agent and this command share {dataDir}/baselines.db.
 */
export interface BaselineOptions {
  config: string
  segment?: string
  by?: string
  reason?: string
  waitS: number
  list: boolean
  json: boolean
}

const line = (b: BaselineRecord) =>
  `#${b.id} ${b.segment} requested ${new Date(b.requestedAt).toISOString()} by ${b.by} (${b.reason}): ` +
  (b.capturedAt === null
    ? 'not captured yet'
    : `captured ${new Date(b.capturedAt).toISOString()} ${JSON.stringify(b.values)}`)

export async function baselineCommand(o: BaselineOptions, now: () => number = Date.now): Promise<void> {
  const config = loadEdgeConfig(o.config)
  if (!config.settlement) {
    throw new ParklinkError(ErrorCodes.CONFIG_INVALID, `${o.config} configures no settlement segments`, {
      hint: 'add a settlement: section with the gallery segments first',
    })
  }
  const segments = config.settlement.segments.map((s) => s.id)
  mkdirSync(config.dataDir, { recursive: true })
  const store = openBaselineStore(path.join(config.dataDir, 'baselines.db'), openAtRest(config.storage, config.dataDir))
  try {
    if (o.list) {
      const history = store.history(o.segment)
      console.log(
        o.json
          ? JSON.stringify(history)
          : history.length === 0
            ? 'no baselines recorded'
            : history.map(line).join('\n'),
      )
      return
    }
    if (!o.segment || !segments.includes(o.segment)) {
      throw new ParklinkError(ErrorCodes.CONFIG_INVALID, `unknown segment "${o.segment ?? ''}"`, {
        hint: `use --segment with one of: ${segments.join(', ')}`,
      })
    }
    if (!o.by?.trim() || !o.reason?.trim()) {
      throw new ParklinkError(ErrorCodes.CONFIG_INVALID, 'a baseline is an audited act: say who takes it and why', {
        hint: 'give --by NAME and --reason TEXT',
      })
    }
    const req = store.request(o.segment, o.by.trim(), o.reason.trim(), now())
    const deadline = now() + o.waitS * 1000
    let current = req
    while (current.capturedAt === null && now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 250))
      current = store.get(req.id) ?? current
    }
    if (o.json) console.log(JSON.stringify(current))
    else if (current.capturedAt !== null) console.log(`baseline captured: ${line(current)}`)
    else
      console.log(
        `baseline requested (#${req.id}): the running edge agent captures it as soon as every gauge of ${o.segment} reads good; check with --list`,
      )
  } finally {
    store.close()
  }
}
