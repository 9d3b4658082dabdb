import type { Lang } from '../i18n.ts'
import type { ConfigureLabels } from './labels.ts'

/**
 * The devices-and-points page's script (runs in the browser). Renders with textContent only
 * (names come from configs, devices and uploaded tables: never parsed as HTML). Every write
 * sends the X-Parklink-Console header (guard.ts). After a change is accepted the page polls the
 * change log until its apply has ended: the apply restarts the console, so a failed fetch in
 * between is retried, not shown.
 */
export function configureScript(lang: Lang, t: ConfigureLabels): string {
  return `(() => {
const T = ${JSON.stringify(t)}, LANG = ${JSON.stringify(lang)};
const $ = (id) => document.getElementById(id);
const el = (tag, text, cls) => { const e = document.createElement(tag); if (text !== undefined && text !== null) e.textContent = String(text); if (cls) e.className = cls; return e; };
const HDR = { 'x-parklink-console': '1' };
async function call(method, url, body) {
  const init = { method, headers: { ...HDR }, cache: 'no-store' };
  if (body instanceof FormData) init.body = body; else if (body !== undefined) { init.headers['content-type'] = 'application/json'; init.body = JSON.stringify(body); }
  const res = await fetch(url, init);
  if (res.status === 401) { location.href = '/login?lang=' + LANG; throw new Error('401'); }
  return { status: res.status, json: await res.json().catch(() => ({})) };
}
function table(head, rows, cls) {
  const tb = el('table', undefined, cls), tr = el('tr');
  head.forEach((h) => tr.appendChild(el('th', h)));
  tb.appendChild(tr);
  rows.forEach((cells) => { const r = el('tr'); cells.forEach((c) => r.appendChild(c instanceof Node ? wrap(c) : el('td', c))); tb.appendChild(r); });
  return tb;
}
const wrap = (node) => { const td = el('td'); td.appendChild(node); return td; };
function showProblems(target, r) {
  const box = $(target);
  if (r.json.error) { box.replaceChildren(el('p', r.json.error.code + ': ' + r.json.error.message + (r.json.error.hint ? ' — ' + r.json.error.hint : ''), 'bad')); return; }
  if (r.json.busy || r.status === 409) { box.replaceChildren(el('p', T.busy, 'bad')); return; }
  const rows = (r.json.problems || []).map((p) => [p.line == null ? '—' : String(p.line), p.message, p.hint || '']);
  box.replaceChildren(el('p', T.nothingApplied, 'bad'), table([T.row, T.problem, T.whatToDo], rows, 'problems'));
}
// ---- devices list and form ----
let kind = 'modbus-tcp';
function showKind() {
  kind = $('kind').value;
  document.querySelectorAll('[data-kinds]').forEach((n) => n.classList.toggle('hidden', !n.getAttribute('data-kinds').split(' ').includes(kind)));
}
const COLS = [['id', 'all'], ['name', 'all'], ['unit', 'all'], ['unitId', 'modbus-rtu'], ['address', 'modbus-tcp modbus-rtu'], ['type', 'modbus-tcp modbus-rtu'], ['order', 'modbus-tcp modbus-rtu'], ['scale', 'modbus-tcp modbus-rtu'], ['nodeId', 'opcua']];
function addPointRow(p) {
  const tr = el('tr');
  tr.setAttribute('data-row', '');
  COLS.forEach(([key, kinds]) => {
    const td = el('td');
    if (kinds !== 'all') td.setAttribute('data-kinds', kinds);
    const input = el('input', undefined, 'p-' + key);
    input.value = p && p[key] !== undefined ? String(p[key]) : '';
    td.appendChild(input);
    tr.appendChild(td);
  });
  const actions = el('td'), test = el('button', T.testRead, 'test-read'), rm = el('button', T.remove, 'remove');
  test.type = 'button'; rm.type = 'button';
  actions.append(test, rm);
  tr.appendChild(actions);
  tr.appendChild(el('td', '', 'read-result'));
  test.addEventListener('click', () => testRead(tr));
  rm.addEventListener('click', () => tr.remove());
  $('point-rows').appendChild(tr);
  showKind();
  return tr;
}
const NUM = new Set(['scale', 'offset', 'unitId']);
function pointOf(tr) {
  const p = {};
  COLS.forEach(([key, kinds]) => {
    if (kinds !== 'all' && !kinds.split(' ').includes(kind)) return;
    const v = tr.querySelector('.p-' + key).value.trim();
    if (v !== '') p[key] = NUM.has(key) && v !== '' && !isNaN(Number(v)) ? Number(v) : v;
  });
  return p;
}
function draft() {
  const d = { id: $('dev-id').value.trim(), kind, points: [...document.querySelectorAll('#point-rows tr')].map(pointOf) };
  const num = (id) => $(id).value.trim() === '' ? undefined : Number($(id).value);
  const put = (k, v) => { if (v !== undefined && v !== '') d[k] = v; };
  if (kind === 'modbus-tcp') { put('host', $('host').value.trim()); put('port', num('port-tcp')); put('unitId', num('dev-unitId')); put('pollMs', num('pollMs')); }
  if (kind === 'modbus-rtu') { put('port', $('port-serial').value.trim()); put('baudRate', Number($('baudRate').value)); put('parity', $('parity').value); }
  if (kind === 'opcua') { put('endpoint', $('endpoint').value.trim()); put('securityPolicy', $('securityPolicy').value); put('securityMode', $('securityMode').value); put('pollMs', num('pollMs')); }
  return d;
}
function fillForm(dev) {
  $('dev').reset();
  $('kind').value = dev.kind;
  $('dev-id').value = dev.id || '';
  const set = (id, v) => { if (v !== undefined && v !== null) $(id).value = String(v); };
  if (dev.kind === 'modbus-tcp') { set('host', dev.host); set('port-tcp', dev.port); set('dev-unitId', dev.unitId); }
  if (dev.kind === 'modbus-rtu') { set('port-serial', dev.port); set('baudRate', dev.baudRate); set('parity', dev.parity); }
  if (dev.kind === 'opcua') { set('endpoint', dev.endpoint); set('securityPolicy', dev.securityPolicy); set('securityMode', dev.securityMode); }
  set('pollMs', dev.pollMs);
  $('point-rows').replaceChildren();
  const points = dev.kind === 'modbus-rtu' ? (dev.units || []).flatMap((u) => (u.points || []).map((p) => ({ ...p, unitId: u.unitId }))) : (dev.points || []);
  showKind();
  points.forEach(addPointRow);
  $('form-result').replaceChildren();
  $('device-form').scrollIntoView();
}
const whereOf = (d) => d.kind === 'opcua' ? d.endpoint : d.host ? d.host + ':' + (d.port || 502) : String(d.port || '');
const countOf = (d) => (d.points || []).length + (d.units || d.instruments || []).reduce((n, u) => n + (u.points || []).length, 0);
async function loadDevices() {
  const r = await call('GET', '/api/config/devices');
  const rows = (r.json.devices || []).map(({ device, editable }) => {
    let action;
    if (editable) { action = el('button', T.edit, 'edit'); action.type = 'button'; action.addEventListener('click', () => fillForm(device)); } else action = el('span', T.readOnly, 'note');
    return [device.id, device.kind, whereOf(device) || '', String(countOf(device)), action];
  });
  const body = $('devices').querySelector('.body');
  body.replaceChildren(rows.length ? table([T.id, T.kind, T.where, T.count, ''], rows) : el('p', T.none));
  body.querySelectorAll('tr').forEach((tr, i) => { if (i > 0) tr.setAttribute('data-device', rows[i - 1][0]); });
}
async function testRead(tr) {
  const out = tr.querySelector('.read-result');
  out.textContent = T.reading; out.className = 'read-result';
  try {
    const r = await call('POST', '/api/config/test-read', { device: draft(), point: pointOf(tr).id || '' });
    const j = r.json;
    if (j.error) { out.textContent = j.error.code + ': ' + j.error.message + (j.error.hint ? ' — ' + j.error.hint : ''); out.classList.add('bad'); return; }
    if (j.problems) { out.textContent = j.problems.map((p) => p.message + (p.hint ? ' — ' + p.hint : '')).join('; '); out.classList.add('bad'); return; }
    out.textContent = (j.quality === 'good' ? JSON.stringify(j.value) + (j.unit ? ' ' + j.unit : '') : '—') + ' · ' + j.quality + (j.reason ? ' (' + j.reason + ')' : '') + (j.raw && j.raw.length ? ' · raw ' + j.raw.join(' ') : '') + (j.status ? ' · ' + j.status : '');
    out.classList.add(j.quality);
    out.setAttribute('data-quality', j.quality);
  } catch (e) { out.textContent = String(e); out.classList.add('bad'); }
}
// ---- scan and browse ----
async function scan() {
  const r = await call('POST', '/api/config/scan', { host: $('host').value.trim(), port: Number($('port-tcp').value || 502), from: Number($('scan-from').value), to: Number($('scan-to').value) });
  if (r.status !== 202) { $('scan-progress').textContent = r.json.error ? r.json.error.message : T.error; return; }
  const id = r.json.id;
  for (;;) {
    const j = (await call('GET', '/api/config/scan/' + id)).json;
    $('scan-progress').textContent = T.scanning + ' ' + j.done + '/' + j.total;
    if (j.finished) {
      $('scan-progress').textContent = j.error ? j.error.message + (j.error.hint ? ' — ' + j.error.hint : '') : T.found + ' ' + j.found.length;
      $('scan-found').replaceChildren(table([T.unitId, ''], (j.found || []).map((f) => [String(f.unitId), f.answer])));
      return;
    }
    await new Promise((ok) => setTimeout(ok, 500));
  }
}
async function browse() {
  const d = draft();
  const r = await call('POST', '/api/config/browse', { device: { ...d, points: [] } });
  const list = $('browse-list');
  if (r.json.error || r.json.problems) { list.replaceChildren(el('p', r.json.error ? r.json.error.message + ' — ' + (r.json.error.hint || '') : r.json.problems.map((p) => p.message).join('; '), 'bad')); return; }
  list.replaceChildren(table(['', T.nodeId, T.name, T.type, T.unit], r.json.variables.map((v) => { const box = el('input'); box.type = 'checkbox'; box.value = JSON.stringify(v); return [box, v.nodeId, v.name, v.dataType || '', v.unit || '']; })));
  $('pick').classList.remove('hidden');
}
function pick() {
  document.querySelectorAll('#browse-list input:checked').forEach((box) => {
    const v = JSON.parse(box.value);
    addPointRow({ id: v.name.toLowerCase().replace(/[^a-z0-9_.:-]+/g, '.').replace(/^[.]+|[.]+$/g, ''), name: v.name, nodeId: v.nodeId, unit: v.unit });
    box.checked = false;
  });
}
// ---- apply, import and the change log ----
async function follow(target, change) {
  $(target).replaceChildren(el('p', T.pending, 'pending'));
  for (;;) {
    await new Promise((ok) => setTimeout(ok, 700));
    let c;
    try { c = ((await call('GET', '/api/config/changes')).json.changes || []).find((x) => x.id === change); } catch { continue; }
    if (!c || c.outcome === 'pending') continue;
    const p = el('p', T[c.outcome] + (c.error ? ': ' + c.error : ''), c.outcome === 'applied' ? 'ok' : 'bad');
    p.setAttribute('data-outcome', c.outcome);
    $(target).replaceChildren(p);
    renderChanges(); loadDevices();
    return;
  }
}
async function apply() {
  const r = await call('POST', '/api/config/devices', draft());
  if (r.status === 202) return follow('form-result', r.json.change);
  showProblems('form-result', r);
}
async function importTable() {
  const file = $('table-file').files[0];
  if (!file) return;
  const form = new FormData();
  form.append('file', file);
  const r = await call('POST', '/api/config/import', form);
  if (r.status === 202) return follow('import-result', r.json.change);
  showProblems('import-result', r);
}
async function renderChanges() {
  try {
    const r = await call('GET', '/api/config/changes');
    const rows = (r.json.changes || []).map((c) => [new Date(c.at).toLocaleString(LANG), c.who, c.remote || '', c.summary, T[c.outcome] || c.outcome, c.error || '']);
    $('changes').querySelector('.body').replaceChildren(rows.length ? table([T.time, T.who, T.from, T.what, T.outcome, T.reason], rows) : el('p', T.none));
  } catch {}
}
$('kind').addEventListener('change', showKind);
$('add-point').addEventListener('click', () => addPointRow());
$('new-device').addEventListener('click', () => fillForm({ kind: 'modbus-tcp', points: [] }));
$('scan').addEventListener('click', scan);
$('browse').addEventListener('click', browse);
$('pick').addEventListener('click', pick);
$('apply').addEventListener('click', apply);
$('import-button').addEventListener('click', importTable);
showKind();
loadDevices();
renderChanges();
setInterval(renderChanges, 5000);
})();`
}
