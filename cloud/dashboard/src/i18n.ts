/**
 * The dashboard speaks zh-CN by default (the park's operators), English on request. The choice
 * is kept in localStorage; `?lang=en` in the address switches too.
 */
import { enMore, zhMore } from './texts.ts'
import { enAdmin, zhAdmin } from './texts-admin.ts'
import { enTrend, zhTrend } from './texts-trend.ts'
import { enScreens, zhScreens } from './texts-screens.ts'
import { enGas, zhGas } from './texts-gas.ts'
import { enLive, zhLive } from './texts-live.ts'

export type Lang = 'zh-CN' | 'en'

const zh = {
  ...zhMore,
  ...zhAdmin,
  ...zhTrend,
  ...zhScreens,
  ...zhGas,
  ...zhLive,
  title: '园区安全风险监测预警平台',
  login: '登录',
  username: '用户名',
  password: '密码',
  logout: '退出',
  loginFailed: '登录失败',
  board: '报警上屏',
  points: '监测点位',
  edges: '边缘网关',
  alarm: '报警详情',
  trend: '趋势',
  onScreen: '上屏报警',
  observation: '观察',
  recoveredNotClosed: '已恢复未关闭',
  carriedOver: '上一班遗留',
  shelved: '已搁置',
  none: '无',
  loading: '加载中…',
  live: '实时',
  disconnected: '连接中断，正在重连…',
  enterprise: '企业',
  point: '点位',
  value: '数值',
  quality: '质量',
  time: '时间',
  unit: '单位',
  limits: '阈值',
  kind: '类型',
  priority: '等级',
  raisedAt: '报警时间',
  recoveredAt: '恢复时间',
  closedAt: '关闭时间',
  state: '状态',
  overdue: '超时未响应',
  responseDue: '响应期限',
  recontact: '再次联系',
  timeline: '处置记录',
  ack: '确认',
  triage: '研判',
  feedback: '企业反馈',
  close: '关闭',
  note: '备注',
  cause: '原因',
  measures: '措施',
  valid: '有效报警',
  invalid: '无效（瞬时超限）',
  false: '误报',
  active: '报警中',
  recovered: '已恢复',
  closed: '已关闭',
  good: '正常',
  uncertain: '可疑',
  bad: '异常',
  online: '在线',
  offline: '离线',
  lastSeen: '最后通信',
  clockOffset: '时钟偏差（相对平台）',
  ahead: '超前',
  behind: '滞后',
  kind_CLOCK: '网关时钟偏差',
  outbox: '缓存',
  drivers: '采集驱动',
  samples: '条',
  newAlarm: '新报警',
  history: '历史数据',
  range: '量程',
  from: '自',
  noData: '该时段无数据',
  open: '查看',
  forbidden: '无权访问',
  notFound: '不存在',
  error: '出错了',
  snapshot: '现场抓图',
  lang: 'English',
  hours1: '近1小时',
  hours6: '近6小时',
  hours24: '近24小时',
  done: '已完成',
  act_raise: '报警',
  act_recover: '恢复',
  act_ack: '确认',
  act_triage: '研判',
  act_feedback: '企业反馈',
  act_close: '关闭',
  act_overdue: '超时未响应',
  act_recontact_due: '需再次联系企业',
  act_edge_raise: '边缘报警',
  act_edge_recover: '边缘恢复',
  act_shelve: '搁置',
  act_unshelve: '取消搁置',
  act_chattering: '频繁报警',
  act_remove_from_service: '停用',
  act_return_to_service: '恢复投用',
  registry: '登记',
  substance: '监测物质',
  thresholds: '阈值 (低低/低/高/高高)',
  exportCsv: '导出 CSV',
  importCsv: '导入 CSV',
  dryRun: '仅校验',
  importDone: '已导入',
  importChecked: '校验通过',
  changed: '变更',
  row: '行',
  column: '列',
  hazardSource: '重大危险源',
  class_mhs: '重大危险源',
  class_process: '工艺',
  class_gas: '气体检测',
  class_general: '一般',
  class_authorised: '异常工况授权',
  class_none: '未登记',
  // Error codes (shared/errors.ts) the operator may meet; {s}: seconds from Retry-After.
  err_PL_UNAUTHENTICATED: '用户名或密码错误（连续多次失败后账号将被暂时锁定，可请安全管理员解锁）',
  err_PL_TOO_MANY_REQUESTS: '登录失败次数过多，请 {s} 秒后再试',
  err_PL_TOO_MANY_STREAMS: '该账号打开的实时报警连接过多，请关闭其他窗口后重试',
  err_PL_PASSWORD_EXPIRED: '密码已过期，请先修改密码',
  // Issue 13: what an edge sent but does not own (a SECURITY alarm on edge:{id}).
  repeats: '频繁报警：已合并重复 {n} 次',
  act_repeat: '重复报警（计入本条，不另报）',
  kind_SECURITY: '安全事件',
  act_refused: '拒收',
  reason_foreign_point: '非本网关点位',
  reason_foreign_camera: '非本网关摄像机',
  reason_site_mismatch: '站点与登记不符',
  reason_unrequested_snapshot: '未经请求的抓图',
  // Issue 18: reports (#/reports).
  reports: '报表',
  reportTitle: '报表',
  reportPeriod: '统计时段',
  reportGenerated: '生成时间',
  reportFiles: '文件',
  reportEmpty: '本时段无数据',
  reportTrigger_schedule: '定时生成',
  reportTrigger_catch_up: '补生成',
  reportTrigger_manual: '手动生成',
}
type Key = keyof typeof zh

const en: Record<Key, string> = {
  ...enMore,
  ...enAdmin,
  ...enTrend,
  ...enScreens,
  ...enGas,
  ...enLive,
  title: 'Park safety monitoring',
  login: 'Log in',
  username: 'User name',
  password: 'Password',
  logout: 'Log out',
  loginFailed: 'Login failed',
  board: 'Alarm board',
  points: 'Points',
  edges: 'Edges',
  alarm: 'Alarm',
  trend: 'Trend',
  onScreen: 'On screen',
  observation: 'Observation',
  recoveredNotClosed: 'Recovered, not closed',
  carriedOver: 'Carried over',
  shelved: 'Shelved',
  none: 'None',
  loading: 'Loading…',
  live: 'Live',
  disconnected: 'Connection lost, reconnecting…',
  enterprise: 'Enterprise',
  point: 'Point',
  value: 'Value',
  quality: 'Quality',
  time: 'Time',
  unit: 'Unit',
  limits: 'Limits',
  kind: 'Kind',
  priority: 'Priority',
  raisedAt: 'Raised',
  recoveredAt: 'Recovered',
  closedAt: 'Closed',
  state: 'State',
  overdue: 'Overdue',
  responseDue: 'Respond by',
  recontact: 'Re-contact',
  timeline: 'Timeline',
  ack: 'Acknowledge',
  triage: 'Triage',
  feedback: 'Feedback',
  close: 'Close',
  note: 'Note',
  cause: 'Cause',
  measures: 'Measures',
  valid: 'Valid',
  invalid: 'Invalid (transient)',
  false: 'False alarm',
  active: 'Active',
  recovered: 'Recovered',
  closed: 'Closed',
  good: 'Good',
  uncertain: 'Uncertain',
  bad: 'Bad',
  online: 'Online',
  offline: 'Offline',
  lastSeen: 'Last seen',
  clockOffset: 'Clock vs the platform',
  ahead: 'ahead',
  behind: 'behind',
  kind_CLOCK: 'edge clock off',
  outbox: 'Outbox',
  drivers: 'Drivers',
  samples: 'samples',
  newAlarm: 'New alarm',
  history: 'History',
  range: 'Range',
  from: 'from',
  noData: 'No data in this range',
  open: 'Open',
  forbidden: 'Not allowed',
  notFound: 'Not found',
  error: 'Error',
  snapshot: 'Snapshot',
  lang: '中文',
  hours1: 'Last hour',
  hours6: 'Last 6 h',
  hours24: 'Last 24 h',
  done: 'Done',
  act_raise: 'raised',
  act_recover: 'recovered',
  act_ack: 'acknowledged',
  act_triage: 'triaged',
  act_feedback: 'enterprise feedback',
  act_close: 'closed',
  act_overdue: 'overdue',
  act_recontact_due: 're-contact the enterprise',
  act_edge_raise: 'raised at the edge',
  act_edge_recover: 'recovered at the edge',
  act_shelve: 'shelved',
  act_unshelve: 'unshelved',
  act_chattering: 'chattering',
  act_remove_from_service: 'out of service',
  act_return_to_service: 'back in service',
  registry: 'Registry',
  substance: 'Substance',
  thresholds: 'Thresholds (LL/L/H/HH)',
  exportCsv: 'Export CSV',
  importCsv: 'Import CSV',
  dryRun: 'Check only',
  importDone: 'Imported',
  importChecked: 'Checked, nothing wrong',
  changed: 'changed',
  row: 'row',
  column: 'column',
  hazardSource: 'Major hazard source',
  class_mhs: 'Major hazard source',
  class_process: 'Process',
  class_gas: 'Gas detection',
  class_general: 'General',
  class_authorised: 'Authorised abnormal condition',
  class_none: 'Not registered',
  err_PL_UNAUTHENTICATED:
    'Wrong user name or password (after repeated failures the account is locked for a while; a security administrator can unlock it)',
  err_PL_TOO_MANY_REQUESTS: 'Too many failed logins: try again in {s} s',
  err_PL_TOO_MANY_STREAMS: 'This account has too many live alarm connections open: close other windows and try again',
  err_PL_PASSWORD_EXPIRED: 'The password has expired: change it first',
  repeats: 'chattering: {n} repeats held on this alarm',
  act_repeat: 'raised again (counted here, not a new alarm)',
  kind_SECURITY: 'Security event',
  act_refused: 'refused',
  reason_foreign_point: 'point not owned by this edge',
  reason_foreign_camera: 'camera not owned by this edge',
  reason_site_mismatch: 'site differs from the registry',
  reason_unrequested_snapshot: 'snapshot not requested',
  reports: 'Reports',
  reportTitle: 'Report',
  reportPeriod: 'Period',
  reportGenerated: 'Generated',
  reportFiles: 'Files',
  reportEmpty: 'no data in the period',
  reportTrigger_schedule: 'scheduled',
  reportTrigger_catch_up: 'caught up',
  reportTrigger_manual: 'on demand',
}

const dictionaries: Record<Lang, Record<Key, string>> = { 'zh-CN': zh, en }

function initial(): Lang {
  const asked = new URLSearchParams(location.search).get('lang')
  if (asked === 'en' || asked === 'zh-CN') return asked
  return localStorage.getItem('parklink.lang') === 'en' ? 'en' : 'zh-CN'
}

let lang: Lang = initial()

export const currentLang = (): Lang => lang
export const t = (key: Key): string => dictionaries[lang][key]
/** A point class's name (the alarm unit of brief §5). */
export const className = (cls: string | null): string =>
  (dictionaries[lang] as Record<string, string>)[`class_${cls ?? 'none'}`] ?? cls ?? '—'
/** An alarm kind for people: a system kind with a name (CLOCK, SECURITY), the others as their code (HH, STALE, RYRQ …). */
export const kindName = (kind: string): string => {
  const name = (dictionaries[lang] as Record<string, string>)[`kind_${kind}`]
  return name ? `${kind} ${name}` : kind
}
/** A timeline step's name (cloud/alarms/workflow.ts TimelineEntry.action); an unknown one as it is. */
export const actionName = (action: string): string =>
  (dictionaries[lang] as Record<string, string>)[`act_${action}`] ?? action
/** An error code's text in the current language (null: no text for it, show the server's message); `{s}` is filled with `seconds`. */
export function codeText(code: string, seconds?: number): string | null {
  const text = (dictionaries[lang] as Record<string, string>)[`err_${code}`]
  return text === undefined ? null : text.replace('{s}', seconds === undefined ? '?' : String(seconds))
}
/** A refusal reason's name (cloud/metrics.ts RefusedReasons, RejectReasons); an unknown one as it is. */
export const reasonName = (reason: string): string =>
  (dictionaries[lang] as Record<string, string>)[`reason_${reason}`] ?? reason
const named = (prefix: string, key: string): string | undefined =>
  (dictionaries[lang] as Record<string, string>)[`${prefix}_${key}`]
/** A role's name (cloud/auth/roles.ts); an unknown one as it is. */
export const roleName = (role: string): string => named('role', role) ?? role
/** An edge driver's state by name (connected → 已连接). */
export const driverStateName = (state: string): string => named('drv', state) ?? state
/** A timeline detail field's name (verdict → 研判结论). */
export const detailName = (field: string): string => named('det', field) ?? field
/** A text with {name} placeholders filled. */
export const fill = (text: string, vars: Record<string, string | number>): string =>
  text.replace(/\{(\w+)\}/g, (m, k: string) => (k in vars ? String(vars[k]) : m))
export function setLang(next: Lang): void {
  lang = next
  localStorage.setItem('parklink.lang', next)
  document.documentElement.lang = next
}
