import { labels, type Lang } from '../i18n.ts'
import { esc, shell } from '../page.ts'
import { configureLabels, type ConfigureLabels } from './labels.ts'
import { configureScript } from './script.ts'

/**
 * The devices-and-points page (/config): the devices list, the add/edit form with its points,
 * test-read, scan and browse, the table import and the change log. Static HTML; the script
 * (script.ts) fills it from /api/config and renders with textContent only.
 */
const field = (t: ConfigureLabels, id: keyof ConfigureLabels, kinds: string, input: string) =>
  `<label data-kinds="${kinds}">${esc(t[id])} ${input}</label>`

const select = (id: string, options: string[]) =>
  `<select id="${id}">${options.map((o) => `<option value="${o}">${o}</option>`).join('')}</select>`

const EXTRA_CSS = `
form.cfg{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:end;margin-bottom:.6rem} form.cfg label{display:grid;gap:.15rem;font-size:.85rem}
input,select,button{font:inherit;padding:.2rem .35rem} td input{width:7rem} .hidden{display:none!important} .note{color:#5f6368;font-size:.85rem}
.problems td:first-child{font-weight:600} .ok{color:#137333}
`

function deviceForm(t: ConfigureLabels): string {
  const tcp = 'modbus-tcp'
  const rtu = 'modbus-rtu'
  const opc = 'opcua'
  return `<form class="cfg" id="dev">
${field(t, 'kind', `${tcp} ${rtu} ${opc}`, select('kind', [tcp, rtu, opc]))}
${field(t, 'id', `${tcp} ${rtu} ${opc}`, '<input id="dev-id" required maxlength="64">')}
${field(t, 'host', tcp, '<input id="host" placeholder="192.168.10.20">')}
${field(t, 'port', tcp, '<input id="port-tcp" type="number" placeholder="502">')}
${field(t, 'unitId', tcp, '<input id="dev-unitId" type="number" placeholder="1">')}
${field(t, 'serialPort', rtu, '<input id="port-serial" placeholder="/dev/ttyS1">')}
${field(t, 'baudRate', rtu, select('baudRate', ['9600', '19200', '38400', '57600', '115200', '4800', '2400', '1200']))}
${field(t, 'parity', rtu, select('parity', ['even', 'none', 'odd']))}
${field(t, 'endpoint', opc, '<input id="endpoint" size="36" placeholder="opc.tcp://192.168.10.30:4840">')}
${field(t, 'securityPolicy', opc, select('securityPolicy', ['None', 'Basic256Sha256']))}
${field(t, 'securityMode', opc, select('securityMode', ['None', 'Sign', 'SignAndEncrypt']))}
${field(t, 'pollMs', `${tcp} ${opc}`, '<input id="pollMs" type="number" placeholder="1000">')}
</form>
<table id="points-table"><thead><tr><th>${esc(t.pointId)}</th><th>${esc(t.name)}</th><th>${esc(t.unit)}</th><th data-kinds="${rtu}">${esc(t.unitId)}</th><th data-kinds="${tcp} ${rtu}">${esc(t.address)}</th><th data-kinds="${tcp} ${rtu}">${esc(t.type)}</th><th data-kinds="${tcp} ${rtu}">${esc(t.order)}</th><th data-kinds="${tcp} ${rtu}">${esc(t.scale)}</th><th data-kinds="${opc}">${esc(t.nodeId)}</th><th></th><th></th></tr></thead><tbody id="point-rows"></tbody></table>
<p><button type="button" id="add-point">${esc(t.addPoint)}</button></p>
<p data-kinds="${tcp}">${esc(t.scan)} ${esc(t.scanFrom)} <input id="scan-from" type="number" value="1" min="0" max="255"> ${esc(t.scanTo)} <input id="scan-to" type="number" value="10" min="0" max="255"> <button type="button" id="scan">${esc(t.scan)}</button> <span id="scan-progress"></span></p>
<div id="scan-found" data-kinds="${tcp}"></div>
<p data-kinds="${opc}"><button type="button" id="browse">${esc(t.browse)}</button> <button type="button" id="pick" class="hidden">${esc(t.pick)}</button></p>
<div id="browse-list" data-kinds="${opc}"></div>
<p><button type="button" id="apply">${esc(t.apply)}</button></p>
<div id="form-result" role="status"></div>
<p class="note">${esc(t.writeNote)}</p>`
}

export function configurePage(lang: Lang, nonce: string): string {
  const base = labels(lang)
  const t = configureLabels(lang)
  const other = lang === 'en' ? 'zh-CN' : 'en'
  return shell(
    lang,
    nonce,
    `${t.configure} · ${base.title}`,
    `<style nonce="${nonce}">${EXTRA_CSS}</style><header><h1>${esc(t.configure)}</h1>
<a href="/?lang=${lang}">${esc(t.statusPage)}</a>
<a href="/config?lang=${other}">${esc(base.other)}</a>
<form method="post" action="/logout"><input type="hidden" name="lang" value="${lang}"><button type="submit">${esc(base.logout)}</button></form></header>
<main>
<section id="devices" class="wide"><h2>${esc(t.devices)}</h2><div class="body"></div><p><button type="button" id="new-device">${esc(t.newDevice)}</button></p></section>
<section id="device-form" class="wide"><h2>${esc(t.deviceForm)}</h2>${deviceForm(t)}</section>
<section id="import" class="wide"><h2>${esc(t.importTitle)}</h2>
<form class="cfg" id="import-form"><input type="file" id="table-file" name="file" accept=".xlsx,.csv"><button type="button" id="import-button">${esc(t.importButton)}</button>
<a href="/api/config/template.xlsx">${esc(t.template)} (XLSX)</a> <a href="/api/config/template.csv">${esc(t.template)} (CSV)</a></form>
<div id="import-result" role="status"></div></section>
<section id="changes" class="wide"><h2>${esc(t.changes)}</h2><div class="body"></div></section>
</main>
<script nonce="${nonce}">${configureScript(lang, t)}</script>`,
  )
}
