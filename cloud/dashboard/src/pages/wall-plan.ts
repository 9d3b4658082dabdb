import { fill, t } from '../i18n.ts'
import type { WallData } from './wall-types.ts'

const SVG = 'http://www.w3.org/2000/svg'
const W = 1000
const H = 560

function el<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | number>,
  text?: string,
): SVGElementTagNameMap[K] {
  const e = document.createElementNS(SVG, tag)
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v))
  if (text !== undefined) e.textContent = text
  return e
}

/** Cells of a grid for n entries, about as wide as the plan's aspect asks. */
function grid(n: number): { cols: number; rows: number } {
  const cols = Math.max(1, Math.ceil(Math.sqrt((n * W) / H)))
  return { cols, rows: Math.max(1, Math.ceil(n / cols)) }
}

/**
 * The park plan, generated (no map tiles: the park network has none): each enterprise a block,
 * its major hazard sources inside it, each lit by its worst active alarm (class p-S … p-D, or
 * calm). Registry coordinates (x, y in 0…1) place an entry where given; otherwise a grid.
 */
export function drawPlan(svg: SVGSVGElement, plan: WallData['plan'], imageHref: string | null = null): void {
  svg.setAttribute('viewBox', `0 0 ${W} ${H}`)
  svg.replaceChildren()
  // The park's own plan under everything (a blob: URL of GET /api/v1/plan/image; issue 17).
  if (imageHref)
    svg.append(
      el('image', {
        href: imageHref,
        x: 0,
        y: 0,
        width: W,
        height: H,
        preserveAspectRatio: 'none',
        class: 'plan-image',
      }),
    )
  const { cols, rows } = grid(plan.enterprises.length)
  const cw = W / cols
  const ch = H / rows
  plan.enterprises.forEach((e, i) => {
    const placed = e.x !== undefined && e.y !== undefined
    const cx = placed ? e.x! * W : ((i % cols) + 0.5) * cw
    const cy = placed ? e.y! * H : (Math.floor(i / cols) + 0.5) * ch
    // Over the park's image a placed enterprise is a label at its spot, not a block hiding the plan.
    const compact = imageHref !== null && placed
    const bw = compact ? Math.min(cw * 0.9, 240) : cw * 0.9
    const bh = compact ? 70 : ch * 0.86
    const g = el('g', {
      class: `ent ${e.worst ? `lit-${e.worst}` : 'calm'}${e.online ? '' : ' offline'}`,
      'data-enterprise': e.id,
      'data-worst': e.worst ?? '',
      'data-cx': Math.round(cx),
      'data-cy': Math.round(cy),
    })
    g.append(el('rect', { x: cx - bw / 2, y: cy - bh / 2, width: bw, height: bh, rx: 14 }))
    // A compact label: the name, and its alarm count beside it; a block: the count in its corner.
    const nameY = compact ? cy + 10 : cy - bh / 2 + 40
    g.append(
      el(
        'text',
        { x: compact && e.active > 0 ? cx - 30 : cx, y: nameY, 'text-anchor': 'middle', class: 'ent-name' },
        e.name,
      ),
    )
    if (e.active > 0)
      g.append(
        el(
          'text',
          { x: cx + bw / 2 - 12, y: nameY, 'text-anchor': 'end', class: 'ent-count' },
          `${e.worst} ×${e.active}`,
        ),
      )
    const sources = plan.hazardSources.filter((s) => s.enterprise === e.id)
    sources.forEach((s, j) => {
      const sx = s.x !== undefined ? s.x * W : cx - bw / 2 + ((j + 0.5) * bw) / sources.length
      const sy = s.y !== undefined ? s.y * H : cy + bh * 0.12
      const r = Math.min(34, bw / (sources.length * 2.6))
      const m = el('g', {
        class: `mhs ${s.worst ? `lit-${s.worst}` : 'calm'}`,
        'data-hazard-source': s.id,
        'data-worst': s.worst ?? '',
      })
      m.append(el('polygon', { points: `${sx},${sy - r} ${sx + r},${sy} ${sx},${sy + r} ${sx - r},${sy}` }))
      m.append(
        el('text', { x: sx, y: sy + r + 26, 'text-anchor': 'middle', class: 'mhs-name' }, `${s.name}（${s.level}级）`),
      )
      g.append(m)
    })
    svg.append(g)
  })
  for (const c of plan.cameras ?? []) svg.append(cameraMark(c))
  if (plan.enterprises.length === 0)
    svg.append(el('text', { x: W / 2, y: H / 2, 'text-anchor': 'middle', class: 'ent-name' }, t('none')))
}

/** A placed camera: a small round mark, lit by its worst active alarm, red-dashed while OFFLINE. */
function cameraMark(c: NonNullable<WallData['plan']['cameras']>[number]): SVGGElement {
  const x = (c.x ?? 0) * W
  const y = (c.y ?? 0) * H
  const g = el('g', {
    class: `cam ${c.worst ? `lit-${c.worst}` : 'calm'}${c.offline ? ' cam-offline' : ''}`,
    'data-camera': c.id,
    'data-offline': String(c.offline),
  })
  g.append(el('circle', { cx: x, cy: y, r: 12 }))
  g.append(el('text', { x, y: y + 30, 'text-anchor': 'middle', class: 'cam-name' }, c.name))
  return g
}

/** The plan's legend: what each colour means. */
export function planLegend(): HTMLElement {
  const item = (cls: string, label: string) => {
    const li = document.createElement('li')
    const sw = document.createElement('i')
    sw.className = cls
    li.append(sw, label)
    return li
  }
  const ul = document.createElement('ul')
  ul.className = 'legend'
  ul.append(
    ...(['S', 'A', 'B', 'C', 'D'] as const).map((p) => item(`sw lit-${p}`, fill(t('prioLevel'), { p }))),
    item('sw calm', t('noAlarmLegend')),
    item('sw offline', t('offlineLegend')),
    item('sw mhs', t('hazardLegend')),
    item('sw cam', t('cameraLegend')),
    item('sw cam-offline', t('cameraOfflineLegend')),
  )
  return ul
}
