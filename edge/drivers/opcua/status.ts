import type { Quality } from '../../../shared/quality.ts'
import { QualityReasons } from '../../../shared/quality.ts'

/**
 * OPC UA StatusCode → sample quality. Part 4 §7.39: the two top bits are the severity
 * (00 Good, 01 Uncertain, 10/11 Bad); the name says what happened and travels in the reason.
 */
export function qualityOf(status: { value: number; name: string }): { quality: Quality; reason?: string } {
  const severity = (status.value >>> 30) & 0b11
  if (severity === 0) return { quality: 'good' }
  const reason = `${QualityReasons.SOURCE}:${status.name}`
  return severity === 1 ? { quality: 'uncertain', reason } : { quality: 'bad', reason }
}
