import { request } from '../api.ts'
import { h, mount } from '../dom.ts'
import { kindName, t } from '../i18n.ts'
import { time } from '../format.ts'
import { openEventStream } from '../sse.ts'
import type { AlarmView, Board } from '../types.ts'
import { alarmCard, errorText } from './common.ts'

const ZONES = ['onScreen', 'observation', 'recoveredNotClosed', 'carriedOver', 'shelved'] as const

/**
 * The big screen (报警上屏): the zones of brief §5, live over SSE. An S or A alarm that is raised
 * pops up with a tone; it leaves the screen only when a person closes it.
 */
export function boardPage(root: HTMLElement): () => void {
  const status = h('p', { class: 'status', 'data-testid': 'stream-state' }, t('loading'))
  const zones = h('div', { class: 'zones' })
  const popups = h('div', { class: 'popups', 'aria-live': 'assertive' })
  mount(root, status, zones, popups)

  let loading: Promise<void> | null = null
  let again = false
  const load = async () => {
    if (loading) {
      again = true
      return loading
    }
    loading = (async () => {
      try {
        const board = await request<Board>('/api/v1/board')
        mount(zones, ...ZONES.map((z) => zone(z, board[z])))
      } catch (err) {
        mount(zones, h('p', { class: 'error' }, errorText(err)))
      }
    })().finally(() => {
      loading = null
      if (again) {
        again = false
        void load()
      }
    })
    return loading
  }
  void load()

  const close = openEventStream(
    '/api/v1/alarms/stream',
    (e) => {
      // Every change reloads the board, and so does each (re)connection: what changed while the
      // stream was down is on it even if the server could not replay it (issue 14).
      void load()
      if (e.event === 'ready') return
      if (e.event !== 'raise' && e.event !== 'edge_raise') return
      try {
        const { alarm } = JSON.parse(e.data) as { alarm: AlarmView | null }
        if (alarm && (alarm.priority === 'S' || alarm.priority === 'A')) announce(popups, alarm)
      } catch {
        // a change we cannot read still refreshed the board
      }
    },
    (up) => {
      status.textContent = up ? `${t('live')} · ${time(Date.now())}` : t('disconnected')
      status.className = up ? 'status up' : 'status down'
    },
  )
  return close
}

function zone(name: (typeof ZONES)[number], alarms: AlarmView[]): HTMLElement {
  return h(
    'section',
    { class: `zone zone-${name}`, 'data-zone': name },
    h('h2', {}, `${t(name)} (${alarms.length})`),
    alarms.length === 0
      ? h('p', { class: 'muted' }, t('none'))
      : h('div', { class: 'cards' }, ...alarms.map(alarmCard)),
  )
}

function announce(popups: HTMLElement, alarm: AlarmView): void {
  const popup = h(
    'div',
    { class: `popup p-${alarm.priority}`, role: 'alert' },
    h('b', {}, `${t('newAlarm')} · ${alarm.priority}`),
    h('span', {}, `${alarm.pointName ?? alarm.point} ${kindName(alarm.kind)}`),
    h('a', { href: `#/alarms/${alarm.id}` }, t('open')),
    h('button', { type: 'button', onclick: () => popup.remove() }, '×'),
  )
  popups.append(popup)
  setTimeout(() => popup.remove(), 60_000)
  tone(alarm.priority === 'S' ? 3 : 1)
}

/** A short alarm tone through WebAudio (no sound file to load). Browsers may refuse before a click. */
export function tone(beeps: number): void {
  try {
    const ctx = new AudioContext()
    for (let i = 0; i < beeps; i++) {
      const osc = ctx.createOscillator()
      const gain = ctx.createGain()
      osc.frequency.value = 880
      gain.gain.value = 0.2
      osc.connect(gain).connect(ctx.destination)
      osc.start(ctx.currentTime + i * 0.4)
      osc.stop(ctx.currentTime + i * 0.4 + 0.25)
    }
    setTimeout(() => void ctx.close(), beeps * 400 + 500)
  } catch {
    // no audio device: the pop-up is still there
  }
}
