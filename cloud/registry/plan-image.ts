/**
 * The park plan image the wall draws its entries over (issue 17): PNG, JPEG or SVG, uploaded by
 * the park administrator. What the bytes are is decided by their magic bytes, never by the name
 * or the Content-Type the client sent. An SVG is an XML document a browser may run scripts
 * from: one with a script, an event handler attribute, a `javascript:` URL or a foreignObject is
 * refused (brief §7), and it is served under a sandboxing Content-Security-Policy besides.
 */
export type PlanImageType = 'image/png' | 'image/jpeg' | 'image/svg+xml'

/** Larger plans are refused (a 3840×2160 PNG of a drawn plan is well under this). */
export const PLAN_IMAGE_MAX_BYTES = 4 * 1024 * 1024

const PNG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]
const startsWith = (b: Uint8Array, magic: readonly number[]) => magic.every((x, i) => b[i] === x)

/** The SVG's root: after a BOM, whitespace, an XML declaration, comments and a doctype. */
const SVG_ROOT = /^\uFEFF?\s*(<\?xml[^>]*\?>\s*)?(<!--[\s\S]*?-->\s*|<!DOCTYPE[^>]*>\s*)*<svg[\s>]/i
const SVG_ACTIVE = /<script|<foreignObject|\son[a-z]+\s*=|javascript:|<iframe|<embed|<object/i

export type Sniffed = { ok: true; type: PlanImageType } | { ok: false; reason: string }

export function sniffPlanImage(body: Uint8Array): Sniffed {
  if (body.length === 0) return { ok: false, reason: 'the file is empty' }
  if (body.length > PLAN_IMAGE_MAX_BYTES)
    return { ok: false, reason: `the file has ${body.length} bytes, more than ${PLAN_IMAGE_MAX_BYTES}` }
  if (startsWith(body, PNG)) return { ok: true, type: 'image/png' }
  if (startsWith(body, [0xff, 0xd8, 0xff])) return { ok: true, type: 'image/jpeg' }
  const text = new TextDecoder('utf-8', { fatal: false }).decode(body)
  if (SVG_ROOT.test(text)) {
    if (SVG_ACTIVE.test(text))
      return { ok: false, reason: 'the SVG contains a script, an event handler or embedded content' }
    return { ok: true, type: 'image/svg+xml' }
  }
  return { ok: false, reason: 'the file is not a PNG, JPEG or SVG image' }
}
