import { labels, type Lang } from './i18n.ts'
import { dashboardScript } from './script.ts'

/**
 * The console's two pages, complete in themselves: inline CSS and script, no fonts, images or
 * CDNs, so they work on a plant LAN with no internet. Scripts run only with the response's
 * CSP nonce.
 */
export const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

const CSS = `
body{font-family:system-ui,"Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:0;background:#f4f5f7;color:#1d2430}
header{background:#1d2430;color:#fff;padding:.6rem 1rem;display:flex;gap:1rem;align-items:center;flex-wrap:wrap}
header h1{font-size:1.1rem;margin:0 auto 0 0} header a,header button{color:#fff;background:none;border:1px solid #fff6;border-radius:4px;padding:.2rem .6rem;font:inherit;cursor:pointer;text-decoration:none}
main{padding:1rem;display:grid;gap:1rem;grid-template-columns:repeat(auto-fit,minmax(22rem,1fr))}
section{background:#fff;border-radius:6px;padding:.6rem 1rem;box-shadow:0 1px 2px #0002;overflow-x:auto} section.wide{grid-column:1/-1}
h2{font-size:1rem;margin:.2rem 0 .6rem} table{border-collapse:collapse;width:100%;font-size:.9rem}
th,td{text-align:left;padding:.25rem .5rem;border-bottom:1px solid #e3e6ea;vertical-align:top} tr>td:first-child,th{white-space:nowrap} td.num{text-align:right;font-variant-numeric:tabular-nums}
.good,.connected{color:#137333} .uncertain,.degraded,.warn{color:#b06000} .bad,.disconnected,.stopped,.error,.fatal{color:#c5221f;font-weight:600}
#lost{display:none;background:#c5221f;color:#fff;padding:.4rem 1rem} #lost.on{display:block}
form.login{max-width:20rem;margin:4rem auto;background:#fff;padding:1.5rem;border-radius:6px;box-shadow:0 1px 3px #0003;display:grid;gap:.8rem}
form.login input,form.login button{font:inherit;padding:.4rem} .msg{color:#c5221f}
`

export function shell(lang: Lang, nonce: string, title: string, body: string): string {
  return `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${esc(title)}</title><style nonce="${nonce}">${CSS}</style></head><body>${body}</body></html>`
}

export function loginPage(lang: Lang, nonce: string, message?: string): string {
  const t = labels(lang)
  const other = lang === 'en' ? 'zh-CN' : 'en'
  return shell(
    lang,
    nonce,
    t.title,
    `<form class="login" method="post" action="/login">
<h1>${esc(t.title)}</h1>
${message ? `<p class="msg" role="alert">${esc(message)}</p>` : ''}
<label>${esc(t.yourName)} <input name="name" autocomplete="username" maxlength="32"></label>
<label>${esc(t.password)} <input type="password" name="password" autocomplete="current-password" required autofocus></label>
<input type="hidden" name="lang" value="${lang}">
<button type="submit">${esc(t.login)}</button>
<a href="/login?lang=${other}">${esc(t.other)}</a>
</form>`,
  )
}

const section = (id: string, title: string, wide = false) =>
  `<section id="${id}"${wide ? ' class="wide"' : ''}><h2>${esc(title)}</h2><div class="body"></div></section>`

export function dashboardPage(lang: Lang, nonce: string, configure = false): string {
  const t = labels(lang)
  const other = lang === 'en' ? 'zh-CN' : 'en'
  return shell(
    lang,
    nonce,
    t.title,
    `<header><h1>${esc(t.title)} <span id="who"></span></h1><span id="updated"></span>
${configure ? `<a href="/config?lang=${lang}">${esc(t.configure)}</a>` : ''}<a href="/?lang=${other}">${esc(t.other)}</a>
<form method="post" action="/logout"><input type="hidden" name="lang" value="${lang}"><button type="submit">${esc(t.logout)}</button></form></header>
<div id="lost" role="alert">${esc(t.consoleLost)}</div>
<main>${section('uplink', t.uplink)}${section('outbox', t.outbox)}${section('drivers', t.drivers, true)}${section('values', t.values, true)}${section('alarms', t.alarms, true)}${section('events', t.events, true)}</main>
<script nonce="${nonce}">${dashboardScript(lang, t)}</script>`,
  )
}
