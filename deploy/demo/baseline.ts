import { mkdirSync } from 'node:fs'
import path from 'node:path'
import { openBaselineStore } from '../../edge/derived/baselines.ts'
import { GALLERY_SEGMENT } from './configs.ts'

/**
 * Demo mode only: the gallery's baseline is requested at start, recorded like any other
 * (by "parklink demo"); the edge captures it with its first good readings. On site a
 * technician requests it with `parklink edge baseline`.
 */
export function requestDemoBaseline(edgeDataDir: string, now: number): void {
  mkdirSync(edgeDataDir, { recursive: true })
  const store = openBaselineStore(path.join(edgeDataDir, 'baselines.db'))
  try {
    if (!store.current().has(GALLERY_SEGMENT) && !store.pending().some((r) => r.segment === GALLERY_SEGMENT))
      store.request(GALLERY_SEGMENT, 'parklink demo', 'demo commissioning (automatic in demo mode only)', now)
  } finally {
    store.close()
  }
}
