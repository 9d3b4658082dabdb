import '../cameras.css'
import { request } from '../api.ts'
import { h, mount } from '../dom.ts'
import { t } from '../i18n.ts'
import type { AlarmView, PointView } from '../types.ts'
import { type CameraView, cameraCard } from './cameras-parts.ts'
import type { Names } from './names.ts'

/**
 * The cameras of the alarm's area on its page (issue 17): a camera alarm's own camera, or the
 * cameras whose area is the point's registry area, each with its state and newest snapshot.
 * Nothing is shown when there are none (or the identity may not list cameras).
 */
export async function showAreaCameras(alarm: AlarmView, box: HTMLElement, names: Names, urls: string[]) {
  try {
    const own = alarm.point.startsWith('camera:') ? alarm.point.slice('camera:'.length) : null
    const area = own ? null : (await request<PointView>(`/api/v1/points/${encodeURIComponent(alarm.point)}`)).area
    if (!own && !area) return
    const all = await request<CameraView[]>(
      area ? `/api/v1/cameras?area=${encodeURIComponent(area)}` : '/api/v1/cameras',
    )
    const list = all.filter((c) => (own ? c.id === own : true))
    if (list.length === 0) return
    mount(
      box,
      h('h2', {}, t('areaCameras')),
      h('div', { class: 'cam-grid', 'data-testid': 'area-cameras' }, ...list.map((c) => cameraCard(c, names, urls))),
    )
  } catch {
    // no cameras for this alarm's area
  }
}
