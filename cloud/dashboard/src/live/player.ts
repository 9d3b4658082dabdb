import '../live.css'
import { ApiError, request } from '../api.ts'
import { h, mount } from '../dom.ts'
import { codeText, currentLang, t } from '../i18n.ts'
import { errorText } from '../pages/common.ts'
import { liveEnd } from './close-codes.ts'
import { liveSource } from './ws-source.ts'

/** POST /api/v1/cameras/{id}/live-token (cloud/api/routes/cameras.ts). */
interface LiveToken {
  token: string
  expiresAt: number
  url: string | null
  unavailable: { code: string; message: string; hint: string | null } | null
}

type State = 'connecting' | 'starting' | 'playing' | 'ended' | 'error'

/**
 * 实时画面 (issue 17): a dialog that plays a camera through its edge's relay (edge/live): a fresh
 * viewer token from the cloud, then `{url}?token=` over a WebSocket (a browser cannot set headers
 * on one), MPEG-TS with MPEG-1 video decoded by JSMpeg (@cycjimmy/jsmpeg-player, loaded with the
 * first dialog) on a canvas. Its JavaScript decoder, not the WebAssembly one: the CSP allows no
 * 'wasm-unsafe-eval'. The state (连接中 / 播放中 / 已结束 / error) is on the dialog's
 * `data-state`; closing the dialog (or leaving the page) destroys the player and its socket.
 */
export function openLiveView(camera: { id: string; name: string | null }): HTMLDialogElement {
  const status = h('p', { class: 'live-status', role: 'status', 'data-testid': 'live-status' })
  const stage = h('div', { class: 'live-stage' })
  const retry = h('button', { type: 'button', class: 'live-retry', hidden: true }, t('liveRetry'))
  const close = h('button', { type: 'button', 'data-testid': 'live-close' }, t('liveClose'))
  const dialog = h(
    'dialog',
    { class: 'live-dialog', 'data-testid': 'live-dialog', 'data-camera': camera.id },
    h('h2', {}, `${t('liveTitle')} · ${camera.name ?? camera.id}`, h('small', { translate: 'no' }, camera.id)),
    stage,
    status,
    h('p', { class: 'live-actions' }, retry, close),
  )
  let stop: () => void = () => {}
  let run = 0

  const show = (state: State, text: string) => {
    dialog.dataset.state = state
    status.textContent = text
    status.className = `live-status ${state}`
    retry.hidden = state !== 'ended' && state !== 'error'
  }
  const halt = () => {
    stop()
    stop = () => {}
  }
  const start = async () => {
    halt()
    const mine = ++run
    show('connecting', t('liveConnecting'))
    try {
      const issued = await request<LiveToken>(`/api/v1/cameras/${encodeURIComponent(camera.id)}/live-token`, {
        method: 'POST',
      })
      if (mine !== run) return
      if (issued.url === null) return show('error', unavailableText(issued.unavailable))
      const stopThis = await play(stage, `${issued.url}?token=${encodeURIComponent(issued.token)}`, (state, text) => {
        if (mine === run) show(state, text)
      })
      // Closed (or restarted) while the player loaded: its socket goes at once.
      if (mine !== run) return stopThis()
      stop = stopThis
    } catch (err) {
      if (mine === run) show('error', err instanceof ApiError ? errorText(err) : `${t('liveFailed')}: ${String(err)}`)
    }
  }
  const leave = () => dialog.close()
  retry.addEventListener('click', () => void start())
  close.addEventListener('click', leave)
  window.addEventListener('hashchange', leave)
  dialog.addEventListener('close', () => {
    run++
    halt()
    window.removeEventListener('hashchange', leave)
    dialog.remove()
  })
  document.body.append(dialog)
  dialog.showModal()
  void start()
  return dialog
}

const unavailableText = (u: LiveToken['unavailable']): string => {
  const text = codeText(u?.code ?? 'PL_LIVE_VIEW_UNAVAILABLE') ?? t('liveFailed')
  return currentLang() === 'en' && u ? `${text} (${u.message}; ${u.hint ?? ''})` : text
}

/** Plays `url` on a new canvas in `stage`; returns how to stop (destroys the player, closes its socket). */
async function play(stage: HTMLElement, url: string, show: (state: State, text: string) => void): Promise<() => void> {
  const { default: JSMpeg } = await import('@cycjimmy/jsmpeg-player')
  const canvas = h('canvas', { 'data-testid': 'live-canvas', width: 640, height: 360 })
  mount(stage, canvas)
  let frames = 0
  let ended = false
  const source = liveSource({
    opened: () => show('starting', t('liveStarting')),
    closed: (code, reason, opened) => {
      ended = true
      const why = liveEnd(code, reason, opened)
      const detail = currentLang() === 'en' && reason ? ` (${code}: ${reason})` : ''
      show(why === 'liveEnded' ? 'ended' : 'error', `${t(why)}${detail}`)
    },
  })
  const player = new JSMpeg.Player(url, {
    canvas,
    source,
    audio: false,
    disableWebAssembly: true,
    pauseWhenHidden: false,
    onVideoDecode: () => {
      if (frames++ === 0 && !ended) show('playing', t('livePlaying'))
    },
  })
  return () => {
    ended = true
    player.destroy()
  }
}
