import type { Labels, Lang } from './i18n.ts'

/**
 * The dashboard's script (runs in the browser): fetches /api/status every 2 s and renders it
 * with textContent only (point names come from configs and devices: never parsed as HTML).
 * A 401 (session expired) goes back to the login page.
 */
export function dashboardScript(lang: Lang, t: Labels): string {
  return `(() => {
const T = ${JSON.stringify(t)}, LANG = ${JSON.stringify(lang)};
const $ = (id) => document.getElementById(id);
const el = (tag, text, cls) => { const e = document.createElement(tag); if (text !== undefined && text !== null) e.textContent = String(text); if (cls) e.className = cls; return e; };
const time = (t) => t === null || t === undefined ? T.never : new Date(t).toLocaleString(LANG);
const ago = (now, t) => t === null || t === undefined ? T.never : Math.max(0, Math.round((now - t) / 1000)) + ' ' + T.secondsAgo;
const fmt = (v) => v === null || v === undefined ? T.noValue : typeof v === 'number' ? String(Math.round(v * 1e6) / 1e6) : String(v);
function table(target, head, rows) {
  const body = $(target).querySelector('.body');
  if (rows.length === 0) { body.replaceChildren(el('p', T.none)); return; }
  const tb = el('table'), tr = el('tr');
  head.forEach((h) => tr.appendChild(el('th', T[h])));
  tb.appendChild(tr);
  rows.forEach((r) => tb.appendChild(r));
  body.replaceChildren(tb);
}
function row(cells, attrs) {
  const tr = el('tr');
  Object.entries(attrs || {}).forEach(([k, v]) => tr.setAttribute(k, v));
  cells.forEach(([text, cls]) => tr.appendChild(el('td', text, cls)));
  return tr;
}
function kv(target, pairs) {
  table(target, ['name', 'value'], pairs.map(([k, v, cls]) => row([[T[k]], [v, cls]], { 'data-key': k })));
}
function diskRows(d) {
  if (!d) return [];
  return [['diskFree', d.freeMB == null ? T.unknown : d.freeMB, d.full ? 'bad' : ''], ['diskReserve', d.reserveHeld ? T.reserveHeld : T.reserveReleased, d.reserveHeld ? '' : 'bad'], ['diskRefused', d.refused, d.refused > 0 ? 'bad' : '']];
}
function cryptoRows(c) {
  if (!c) return [];
  const reasons = c.byReason.map((r) => (T['seal_' + r.reason] || r.reason) + ' ' + r.count).join(', ');
  return [['cryptoSuite', c.suite], ['cryptoRefused', c.refused + (reasons ? ' (' + reasons + ')' : ''), c.refused > 0 ? 'bad' : '']];
}
function render(s) {
  const now = s.at;
  $('who').textContent = T.edge + ' ' + s.edge + ' · ' + T.site + ' ' + s.site;
  $('updated').textContent = T.updated + ' ' + time(s.at);
  const u = s.uplink;
  kv('uplink', [['state', u.connected ? T.connected : T.disconnected, u.connected ? 'connected' : 'disconnected'], ['lastAck', ago(now, u.lastAckAt)], ['clockOffset', u.clockOffsetMs == null ? T.unknown : (u.clockOffsetMs / 1000).toFixed(1), u.clockOffsetMs != null && Math.abs(u.clockOffsetMs) > 60000 ? 'bad' : ''], ['ackedThrough', u.ackedThrough], ['inflight', u.inflight], ['backlog', u.backlog], ['error', u.lastError || T.none]].concat(cryptoRows(s.crypto)));
  const o = s.outbox;
  kv('outbox', [['outboxId', o.id], ['samples', o.samples], ['batches', o.batches], ['backlogHours', o.backlogHours], ['rate', o.samplesPerHour], ['evicted', o.evicted, o.evicted > 0 ? 'bad' : '']].concat(diskRows(s.disk)));
  table('drivers', ['device', 'kind', 'state', 'since', 'lastGood', 'error'], s.drivers.map((d) => row([[d.device], [d.kind], [T[d.state] || d.state, d.state], [time(d.since)], [ago(now, d.lastGoodAt)], [d.lastError || '']], { 'data-device': d.device })));
  table('values', ['point', 'name', 'value', 'unit', 'quality', 'time', 'lastGood'], s.values.map((v) => row([[v.point], [v.name || ''], [fmt(v.value), 'value num'], [v.unit || ''], [v.quality ? (T[v.quality] || v.quality) + (v.reason ? ' (' + v.reason + ')' : '') : T.noValue, 'quality ' + (v.quality || '')], [time(v.ts)], [v.lastGoodTs === v.ts ? '' : fmt(v.lastGoodValue) + ' @ ' + time(v.lastGoodTs)]], { 'data-point': v.point, 'data-quality': v.quality || '' })));
  table('alarms', ['priority', 'kind', 'point', 'value', 'limit', 'raisedAt', 'repeats'], s.alarms.map((a) => row([[a.priority, 'bad'], [a.kind], [a.point], [fmt(a.value), 'num'], [fmt(a.limit), 'num'], [time(a.raisedAt)], [a.repeats ? a.repeats : '', 'num']])));
  table('events', ['time', 'level', 'device', 'message'], s.events.map((e) => row([[time(e.at)], [e.level, e.level], [e.device || e.component || ''], [e.msg + (e.err ? ': ' + e.err : '') + (e.hint ? ' — ' + e.hint : '')]])));
}
async function refresh() {
  try {
    const res = await fetch('/api/status', { cache: 'no-store' });
    if (res.status === 401) { location.href = '/login?lang=' + LANG; return; }
    if (!res.ok) throw new Error(String(res.status));
    render(await res.json());
    $('lost').classList.remove('on');
  } catch { $('lost').classList.add('on'); }
}
refresh();
setInterval(refresh, 2000);
})();`
}
