import { WARNING_RECIPIENTS, type WarningColour } from '../../../shared/rules/gas-warning.ts'
import type { Category, Recipient } from '../../notify/config.ts'

/**
 * Who is told of a warning's colour (001:L1937–1940), as the park's configured recipients
 * (cloud/notify/config.ts): each person the seed names maps to a supervision category, on the
 * enterprise's side (recipients of the warning's enterprise) or the park's (recipients of no
 * enterprise). The park's several leaders are one category here (park-supervision); the
 * supervisor's principal is `special`.
 */
const ROLE: Record<string, { category: Category; side: 'enterprise' | 'park' }> = {
  safety_department_head: { category: 'safety-officer', side: 'enterprise' },
  safety_director: { category: 'safety-director', side: 'enterprise' },
  safety_leader: { category: 'safety-director', side: 'enterprise' },
  principal: { category: 'principal', side: 'enterprise' },
}

function roleOf(key: string): { category: Category; side: 'enterprise' | 'park' } | null {
  const [who, role] = key.split('.') as [string, string]
  if (who === 'park') return { category: 'park-supervision', side: 'park' }
  if (who === 'supervisor') return { category: 'special', side: 'park' }
  return ROLE[role] ?? null
}

export function gasRecipients(
  colour: WarningColour,
  warning: { enterprise: string | null; publicArea: boolean },
  recipients: readonly Recipient[],
): string[] {
  const keys = WARNING_RECIPIENTS[colour][warning.publicArea ? 'public' : 'enterprise']
  const out = new Set<string>()
  for (const key of keys) {
    const role = roleOf(key)
    if (!role) continue
    for (const r of recipients) {
      if (r.category !== role.category) continue
      const side = r.enterprise === undefined ? 'park' : 'enterprise'
      if (side !== role.side) continue
      if (side === 'enterprise' && r.enterprise !== warning.enterprise) continue
      out.add(r.id)
    }
  }
  return [...out].sort()
}
