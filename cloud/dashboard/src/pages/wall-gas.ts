import '../gas.css'
import { h, mount } from '../dom.ts'
import { fill, t } from '../i18n.ts'
import { type GasColour, colourName } from './gas-parts.ts'

/** GET /api/v1/wall `gasWarnings` (cloud/alarms/wall.ts WallGasWarning). */
export interface WallGasWarning {
  id: number
  area: string
  areaName: string | null
  colour: GasColour
  active: number
  since: number
}

/**
 * The wall's gas-leak strip (issue 18): in the header, one chip per open warning, worst colour
 * first, lit in the warning's colour (red and orange pulse). Hidden while there is none.
 */
export function wallGas(wall: HTMLElement) {
  const strip = h('div', { class: 'wall-gas', 'data-testid': 'wall-gas', hidden: true })
  const header = wall.querySelector('.wall-top')
  header?.querySelector('h1')?.after(strip)
  return {
    draw(list: readonly WallGasWarning[]) {
      strip.hidden = list.length === 0
      mount(
        strip,
        ...list.map((w) =>
          h(
            'span',
            { class: `chip gas-c-${w.colour}`, 'data-warning': w.id, 'data-colour': w.colour },
            `${colourName(w.colour)} · `,
            h('span', w.areaName ? {} : { translate: 'no' }, w.areaName ?? w.area),
            w.active > 0 ? ` · ${fill(t('gasDetectors'), { n: w.active })}` : '',
          ),
        ),
      )
    },
  }
}
