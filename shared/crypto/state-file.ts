import type * as NodeFs from 'node:fs'
import { z } from 'zod'
import { writePrivateFile, type PrivateFs } from '../private-files.ts'

/**
 * The replay state a party keeps beside its other state (the edge's and the cloud's dataDir):
 * its send counter's reservation and, per sender, the highest counter it accepted. Written
 * 0600 to a temporary file and renamed (never half-written); a damaged file is not trusted: the
 * caller starts from nothing and logs it (counters start from the clock, replay.ts).
 */
export const CryptoState = z.object({
  v: z.literal(1),
  reserved: z.number().int().nonnegative(),
  marks: z.record(z.string(), z.number().int().nonnegative()),
})
export type CryptoState = z.infer<typeof CryptoState>
export const emptyCryptoState = (): CryptoState => ({ v: 1, reserved: 0, marks: {} })

export type StateFs = PrivateFs & Pick<typeof NodeFs, 'readFileSync' | 'renameSync'>

export function readCryptoState(fs: StateFs, file: string): { state: CryptoState; problem: string | null } {
  if (!fs.existsSync(file)) return { state: emptyCryptoState(), problem: null }
  try {
    const parsed = CryptoState.safeParse(JSON.parse(fs.readFileSync(file, 'utf8')))
    if (parsed.success) return { state: parsed.data, problem: null }
    return { state: emptyCryptoState(), problem: `${file}: not a crypto state file` }
  } catch (err) {
    return { state: emptyCryptoState(), problem: `${file}: ${(err as Error).message}` }
  }
}

export function writeCryptoState(fs: StateFs, file: string, state: CryptoState): void {
  writePrivateFile(fs, `${file}.tmp`, JSON.stringify(state))
  fs.renameSync(`${file}.tmp`, file)
}
