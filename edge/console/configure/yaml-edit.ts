import { isMap, isSeq, type Document, type YAMLMap, type YAMLSeq } from 'yaml'
import { DEVICE_KEYS, pointKeys, type DeviceDraft, type PointDraft } from './drafts.ts'

/**
 * Edits of the config's YAML Document that keep what the technician wrote around them: keys are
 * set one by one on the existing nodes (their comments stay), keys the form does not own (a
 * hand-written `writable`, a deadband, a comment) are left alone, new nodes are block style.
 */
export function devicesSeq(doc: Document): YAMLSeq {
  let seq = doc.get('devices', true)
  if (!isSeq(seq)) {
    doc.set('devices', doc.createNode([]))
    seq = doc.get('devices', true)
  }
  return seq as YAMLSeq
}

export function findDevice(doc: Document, id: string): { node: YAMLMap; index: number } | null {
  const items = devicesSeq(doc).items
  const index = items.findIndex((d) => isMap(d) && String(d.get('id')) === id)
  return index < 0 ? null : { node: items[index] as YAMLMap, index }
}

/** Adds the device, or updates the one with its id (a changed kind replaces it whole). Returns its index. */
export function upsertDevice(doc: Document, draft: DeviceDraft): number {
  const found = findDevice(doc, draft.id)
  const seq = devicesSeq(doc)
  if (!found || String(found.node.get('kind')) !== draft.kind) {
    const node = doc.createNode({ id: draft.id, kind: draft.kind }) as YAMLMap
    if (found) seq.items[found.index] = node
    else seq.add(node)
    return writeDevice(doc, node, draft, found ? found.index : seq.items.length - 1)
  }
  return writeDevice(doc, found.node, draft, found.index)
}

function writeDevice(doc: Document, node: YAMLMap, draft: DeviceDraft, index: number): number {
  setKeys(doc, node, draft, DEVICE_KEYS[draft.kind])
  if (draft.kind === 'modbus-rtu') {
    node.delete('points')
    const byUnit = new Map<number, PointDraft[]>()
    for (const p of draft.points) byUnit.set(p.unitId ?? 1, [...(byUnit.get(p.unitId ?? 1) ?? []), p])
    const units = seqAt(doc, node, 'units')
    units.items = [...byUnit].map(([unitId, points]) => {
      const old = units.items.find((u) => isMap(u) && Number(u.get('unitId')) === unitId)
      const unit = isMap(old) ? old : (doc.createNode({ unitId }) as YAMLMap)
      syncPoints(doc, seqAt(doc, unit, 'points'), points, draft.kind)
      return unit
    })
  } else {
    node.delete('units')
    syncPoints(doc, seqAt(doc, node, 'points'), draft.points, draft.kind)
  }
  return index
}

/** Sets each owned key from `values`; an owned key absent from `values` is removed (its default applies). */
function setKeys(doc: Document, node: YAMLMap, values: Record<string, unknown>, keys: readonly string[]): void {
  for (const key of keys) {
    const v = values[key]
    if (v === undefined || v === '') node.delete(key)
    else if (node.get(key) !== v) node.set(key, doc.createNode(v))
  }
}

export function seqAt(doc: Document, node: YAMLMap, key: string): YAMLSeq {
  let seq = node.get(key, true)
  if (!isSeq(seq)) {
    node.set(key, doc.createNode([]))
    seq = node.get(key, true)
  }
  return seq as unknown as YAMLSeq
}

/** The points of one device (or unit) become `drafts`, in their order; a point kept by id keeps its other keys. */
function syncPoints(doc: Document, seq: YAMLSeq, drafts: readonly PointDraft[], kind: DeviceDraft['kind']): void {
  seq.flow = false
  seq.items = drafts.map((p) => {
    const old = seq.items.find((x) => isMap(x) && String(x.get('id')) === p.id)
    const node = isMap(old) ? old : (doc.createNode({ id: p.id }) as YAMLMap)
    node.flow = false
    setKeys(doc, node, p, pointKeys(kind))
    return node
  })
}

/** Appends one point (block style) to a sequence; returns its index there. */
export function appendPoint(doc: Document, seq: YAMLSeq, point: Record<string, unknown>): number {
  seq.flow = false
  seq.add(doc.createNode(point))
  return seq.items.length - 1
}
