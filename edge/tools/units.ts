import { ErrorCodes, ParklinkError } from '../../shared/errors.ts'

/** "1-247", "1,3,5-7" → sorted unique unit ids (Modbus over serial line §2.2: 1–247; TCP allows 0–255). */
export function parseUnitList(text: string, max = 255): number[] {
  const out = new Set<number>()
  for (const part of text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const m = /^(\d{1,3})(?:-(\d{1,3}))?$/.exec(part)
    const from = m ? Number(m[1]) : NaN
    const to = m ? Number(m[2] ?? m[1]) : NaN
    if (!m || from > to || to > max) {
      throw new ParklinkError(ErrorCodes.BAD_REQUEST, `"${part}" is not a unit id or range`, {
        hint: `use ids 0–${max} like 1-247 or 1,3,5-7`,
      })
    }
    for (let u = from; u <= to; u++) out.add(u)
  }
  if (out.size === 0)
    throw new ParklinkError(ErrorCodes.BAD_REQUEST, 'no unit ids given', { hint: 'use --units 1-247' })
  return [...out].sort((a, b) => a - b)
}
