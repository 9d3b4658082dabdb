import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { z } from 'zod'
import type { PlanImageType } from '../registry/plan-image.ts'

/** The plan image as stored: its bytes and what is known about them. */
export interface PlanImage {
  type: PlanImageType
  bytes: number
  sha256: string
  uploadedAt: number
  uploadedBy: string
}

/**
 * The one park plan image, as a file next to the database like the snapshots
 * (`{dataDir}/plan/plan.img` and `plan.json`), each written atomically (temp file + rename,
 * mode 0600). The image is written before its description, so a description always names bytes
 * that are there; a crash between the two leaves the previous description over the new bytes,
 * which the hash check on read refuses (the wall then draws the schematic) until the next upload.
 */
export interface PlanImageFiles {
  put(body: Uint8Array, meta: Omit<PlanImage, 'bytes' | 'sha256'>): Promise<PlanImage>
  /** The description only (the wall's summary asks whether there is a plan). */
  info(): Promise<PlanImage | null>
  read(): Promise<{ image: PlanImage; body: Buffer } | null>
}

const Meta = z.object({
  type: z.enum(['image/png', 'image/jpeg', 'image/svg+xml']),
  bytes: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  uploadedAt: z.number().int(),
  uploadedBy: z.string(),
})

function atomicWrite(target: string, body: Uint8Array | string): void {
  mkdirSync(path.dirname(target), { recursive: true })
  const tmp = `${target}.${process.pid}.tmp`
  writeFileSync(tmp, body, { mode: 0o600 })
  renameSync(tmp, target)
}

export function openPlanImageFiles(dir: string): PlanImageFiles {
  const img = path.join(dir, 'plan.img')
  const json = path.join(dir, 'plan.json')
  const info = (): PlanImage | null => {
    if (!existsSync(json)) return null
    try {
      return Meta.parse(JSON.parse(readFileSync(json, 'utf8')))
    } catch {
      return null // an unreadable description: no plan (a new upload replaces it)
    }
  }
  return {
    async put(body, meta) {
      const image: PlanImage = {
        ...meta,
        bytes: body.length,
        sha256: createHash('sha256').update(body).digest('hex'),
      }
      atomicWrite(img, body)
      atomicWrite(json, JSON.stringify(image))
      return image
    },
    info: async () => info(),
    async read() {
      const image = info()
      if (!image || !existsSync(img)) return null
      const body = readFileSync(img)
      if (createHash('sha256').update(body).digest('hex') !== image.sha256) return null
      return { image, body }
    },
  }
}
