import { authorized, request } from '../api.ts'
import { h, mount } from '../dom.ts'
import { t } from '../i18n.ts'
import { time } from '../format.ts'
import { errorText, poll } from './common.ts'

/** A generated report as GET /api/v1/reports lists it (cloud/store/report-store.ts, with file urls). */
interface ReportView {
  id: number
  name: string
  title: string
  from: number
  to: number
  empty: boolean
  trigger: string
  generatedAt: number
  files: Array<{ format: string; url: string; bytes: number }>
}

/** Downloads with the session's token (a plain link would carry none). */
async function download(url: string, fallbackName: string): Promise<void> {
  const res = await authorized(url)
  if (!res.ok) throw new Error(`${res.status}`)
  const name = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? fallbackName
  const href = URL.createObjectURL(await res.blob())
  const a = h('a', { href, download: name })
  document.body.append(a)
  a.click()
  a.remove()
  URL.revokeObjectURL(href)
}

/** #/reports: the generated reports (shift, daily offline, weekly/monthly alarm analysis, completeness), newest first, with their files. */
export function reportsPage(root: HTMLElement): () => void {
  const body = h('div', {}, t('loading'))
  const status = h('p', { class: 'error' })
  mount(root, h('h1', {}, t('reports')), status, body)
  return poll(
    async () => {
      const reports = await request<ReportView[]>('/api/v1/reports?limit=200')
      if (reports.length === 0) return mount(body, h('p', {}, t('none')))
      mount(
        body,
        h(
          'table',
          {},
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              ...[t('reportTitle'), t('reportPeriod'), t('reportGenerated'), t('reportFiles')].map((x) =>
                h('th', {}, x),
              ),
            ),
          ),
          h(
            'tbody',
            {},
            ...reports.map((r) =>
              h(
                'tr',
                { 'data-report': r.id },
                h('td', {}, r.title, h('small', {}, r.name)),
                h('td', {}, `${time(r.from)} — ${time(r.to)}`, r.empty ? h('small', {}, t('reportEmpty')) : null),
                h(
                  'td',
                  {},
                  time(r.generatedAt),
                  h('small', {}, t(`reportTrigger_${r.trigger}` as Parameters<typeof t>[0])),
                ),
                h(
                  'td',
                  {},
                  ...r.files.map((f) =>
                    h(
                      'button',
                      {
                        type: 'button',
                        'data-format': f.format,
                        onclick: () =>
                          void download(f.url, `${r.name}.${f.format}`).catch((err) => mount(status, errorText(err))),
                      },
                      f.format.toUpperCase(),
                    ),
                  ),
                ),
              ),
            ),
          ),
        ),
      )
    },
    30_000,
    (err) => mount(body, h('p', { class: 'error' }, errorText(err))),
  )
}
