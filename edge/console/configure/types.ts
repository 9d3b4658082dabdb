import type { Change } from './change-log.ts'
import type { DeviceDraft } from './drafts.ts'
import type { RowProblem } from './import-table.ts'
import type { TestReadResult } from './live-tools.ts'

/**
 * What the console's configuration pages ask of the edge (edge/console/configure/editor.ts
 * implements it; main.ts makes one per process, so it outlives the agent restarts an apply
 * causes). Every change is checked by the one config check first; a refused one changes nothing.
 */
export interface Who {
  user: string
  remote: string | null
}

export type Proposal =
  | { ok: true; change: string; added?: number }
  | { ok: false; problems: RowProblem[] }
  | { ok: false; busy: true }

export interface ScanJob {
  id: string
  done: number
  total: number
  found: Array<{ unitId: number; answer: string }>
  finished: boolean
  error: { code: string; message: string; hint?: string } | null
}

export interface ConfigEditor {
  /** The devices as written in the file (defaults not filled in), and whether the form can edit each. */
  devices(): Array<{ device: Record<string, unknown>; editable: boolean }>
  proposeDevice(draft: DeviceDraft, who: Who): Promise<Proposal>
  importTable(bytes: Buffer, filename: string, who: Who): Promise<Proposal>
  /** One live read of a point of the draft device, as the agent would read it once the draft is applied. */
  testRead(draft: DeviceDraft, point: string): Promise<TestReadResult | { problems: RowProblem[] }>
  startScan(target: { host: string; port: number }, units: number[], timeoutMs: number): ScanJob
  scan(id: string): ScanJob | null
  browse(
    draft: DeviceDraft,
    nodeId?: string,
  ): Promise<
    | { variables: Array<{ nodeId: string; name: string; dataType?: string; unit?: string }>; truncated: boolean }
    | { problems: RowProblem[] }
  >
  /** Applies the change written last (after its request was answered: the apply restarts this console). */
  applyPending(): void
  changes(): Change[]
}
