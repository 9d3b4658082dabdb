import { t } from '../i18n.ts'

/** The service is asked this often whether it is there, and given this long to say so: a link that hangs (no reset, no close) shows within 5 s. */
const PROBE_MS = 2_000
const PROBE_TIMEOUT_MS = 3_000

export interface LinkWatch {
  /** The alarm stream's state (sse.ts onState). */
  stream(up: boolean): void
  /** Whether the last summary read succeeded (and, if not, why, in the operator's words). */
  data(ok: boolean, why?: string): void
  stop(): void
}

/**
 * Whether the wall is live: the alarm stream is up (its reader fails as its connection does), the
 * summary was read, and the service answers a cheap probe (its public health check) within a
 * deadline — a link that silently hangs fails none of the others. Anything down: the red banner
 * and the red frame, at once.
 */
export function watchLink(ui: { wall: HTMLElement; outage: HTMLElement; state: HTMLElement }): LinkWatch {
  // stream: null until its first answer (no banner while the wall is still opening).
  const link: { stream: boolean | null; api: boolean; data: boolean; why: string } = {
    stream: null,
    api: true,
    data: true,
    why: '',
  }
  const show = () => {
    const up = link.stream !== false && link.api && link.data
    ui.outage.hidden = up
    ui.outage.textContent = `${t('streamDown')}${link.why ? ` ${link.why}` : ''}`
    ui.wall.classList.toggle('down', !up)
    ui.state.textContent = !up ? t('disconnected') : link.stream ? t('streamUp') : t('loading')
    ui.state.className = up ? 'stream up' : 'stream down'
  }
  const probe = async () => {
    try {
      link.api = (await fetch('/api/v1/health', { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) })).ok
    } catch {
      link.api = false
    }
    show()
  }
  const timer = setInterval(() => void probe(), PROBE_MS)
  return {
    stream(up) {
      link.stream = up
      show()
    },
    data(ok, why = '') {
      link.data = ok
      link.why = ok ? '' : why
      show()
    },
    stop: () => clearInterval(timer),
  }
}
