import { parseDocument } from 'yaml'
import type { EdgeRuleSet } from '../../shared/wire/bundle.ts'

/**
 * The bundle's config with the park's alarm rules written into its `alarms` section (issue 19):
 * the rules then live in the edge's config file like any other setting (the console shows them,
 * the config hash covers them, a restart keeps them). The rest of the file, comments included,
 * is the park's text as sent. No rules: no local alarms.
 */
export function withParkRules(configYaml: string, rules: EdgeRuleSet): string {
  const doc = parseDocument(configYaml)
  if (rules.points.length === 0) doc.deleteIn(['alarms'])
  else {
    doc.setIn(['alarms', 'points'], doc.createNode(rules.points))
    if (rules.priorities) doc.setIn(['alarms', 'priorities'], doc.createNode(rules.priorities))
    if (rules.chatter) doc.setIn(['alarms', 'chatter'], doc.createNode(rules.chatter))
  }
  return doc.toString()
}

/** The `edge` the config text names (undefined when it names none or cannot be read). */
export function edgeNamedIn(configYaml: string): unknown {
  try {
    const value: unknown = parseDocument(configYaml).toJS()
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>).edge : undefined
  } catch {
    return undefined
  }
}
