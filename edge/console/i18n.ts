import type { SealRefusal } from '../../shared/crypto/sealer.ts'

/**
 * The console's labels: Simplified Chinese by default (the technicians and the plant's
 * engineers), English with ?lang=en. The page's script gets the table of its language.
 */
export const LANGS = ['zh-CN', 'en'] as const
export type Lang = (typeof LANGS)[number]

export function pickLang(query: string | undefined): Lang {
  return query === 'en' ? 'en' : 'zh-CN'
}

const LABELS = {
  title: ['边缘网关本地控制台', 'Edge gateway local console'],
  login: ['登录', 'Log in'],
  logout: ['退出', 'Log out'],
  password: ['密码', 'Password'],
  yourName: ['姓名（记入配置修改记录，可不填）', 'Your name (for the change log, optional)'],
  configure: ['设备与点位配置', 'Devices and points'],
  wrongPassword: ['密码错误', 'Wrong password'],
  locked: ['登录失败次数过多，请稍后再试（秒）：', 'Too many failed logins; try again in (s): '],
  tooLarge: ['请求内容过大，已拒绝（PL_PAYLOAD_TOO_LARGE）', 'Request too large: refused (PL_PAYLOAD_TOO_LARGE)'],
  other: ['English', '中文'],
  edge: ['网关', 'Edge'],
  site: ['站点', 'Site'],
  up: ['运行', 'Up'],
  updated: ['更新于', 'Updated'],
  consoleLost: ['与网关失去联系', 'Lost contact with the edge'],
  uplink: ['上行链路', 'Uplink'],
  connected: ['已连接', 'connected'],
  disconnected: ['未连接', 'DISCONNECTED'],
  degraded: ['降级', 'degraded'],
  stopped: ['已停止', 'stopped'],
  lastAck: ['云端最后确认', 'Last ack from the cloud'],
  ackedThrough: ['已确认至序号', 'Acked through seq'],
  clockOffset: ['本机时钟与云端偏差（秒，+ 为超前）', 'Clock vs the cloud (s, + ahead)'],
  unknown: ['未知', 'unknown'],
  inflight: ['待确认批次', 'Batches awaiting ack'],
  backlog: ['待补传批次', 'Backlog batches to replay'],
  outbox: ['本地缓存（发件箱）', 'Outbox (local buffer)'],
  outboxId: ['发件箱标识', 'Outbox id'],
  samples: ['样本数', 'Samples'],
  batches: ['批次', 'Batches'],
  backlogHours: ['积压时长（小时）', 'Backlog (hours)'],
  rate: ['当前速率（样本/小时）', 'Current rate (samples/h)'],
  evicted: ['超限丢弃样本', 'Samples evicted (cap)'],
  diskFree: ['数据盘剩余空间（MB）', 'Data disk free (MB)'],
  diskReserve: ['磁盘预留空间', 'Disk reserve'],
  reserveHeld: ['已保留', 'held'],
  reserveReleased: ['已释放（磁盘已满）', 'RELEASED (disk full)'],
  diskRefused: ['磁盘满拒收样本', 'Samples refused (disk full)'],
  drivers: ['设备驱动', 'Drivers'],
  device: ['设备', 'Device'],
  kind: ['类型', 'Kind'],
  state: ['状态', 'State'],
  since: ['状态起始', 'Since'],
  lastGood: ['最后一次正常读取', 'Last good read'],
  error: ['错误', 'Error'],
  values: ['实时数据', 'Live values'],
  point: ['点位', 'Point'],
  name: ['名称', 'Name'],
  value: ['值', 'Value'],
  unit: ['单位', 'Unit'],
  quality: ['质量', 'Quality'],
  time: ['时间', 'Time'],
  good: ['正常', 'good'],
  uncertain: ['可疑', 'uncertain'],
  bad: ['坏值', 'bad'],
  alarms: ['本地报警（离线时由网关判断）', 'Local alarms (evaluated at the edge while offline)'],
  priority: ['级别', 'Priority'],
  limit: ['限值', 'Limit'],
  raisedAt: ['报警时间', 'Raised'],
  repeats: ['频繁报警重复次数', 'Chattering repeats'],
  none: ['无', 'none'],
  never: ['从未', 'never'],
  events: ['最近的警告与错误', 'Recent warnings and errors'],
  level: ['级别', 'Level'],
  message: ['信息', 'Message'],
  secondsAgo: ['秒前', 's ago'],
  cryptoSuite: ['应用层签名套件', 'Application-layer signing suite'],
  cryptoRefused: ['云端消息验签拒收（确认/命令）', 'Cloud messages refused by verification (acks, commands)'],
  noValue: ['—', '—'],
} as const satisfies Record<string, readonly [string, string]>

/**
 * Why the edge refused a message of the cloud (issue 20, shared/crypto/sealer.ts): every reason
 * named in both languages (the Record makes a new reason a type error until it is).
 */
const REFUSALS: Record<SealRefusal, readonly [string, string]> = {
  unsigned: ['未签名', 'unsigned'],
  malformed: ['格式错误', 'malformed'],
  wrong_suite: ['签名套件不一致', 'wrong suite'],
  unknown_key: ['未知密钥', 'unknown key'],
  bad_certificate: ['证书无效', 'bad certificate'],
  wrong_signer: ['签发者不符（冒充）', 'wrong signer (impersonation)'],
  bad_signature: ['签名错误（伪造或篡改）', 'bad signature (forged or altered)'],
  replayed: ['重放', 'replayed'],
  not_encrypted: ['未加密', 'not encrypted'],
  decrypt_failed: ['解密失败', 'decryption failed'],
  stale_retained: ['已处理的保留消息', 'retained message already seen'],
  revoked: ['证书已吊销', 'certificate revoked'],
  crl_unavailable: ['证书吊销列表已过期', 'CRL expired'],
}

export type LabelKey = keyof typeof LABELS | `seal_${SealRefusal}`
export type Labels = Record<LabelKey, string>

export function labels(lang: Lang): Labels {
  const i = lang === 'en' ? 1 : 0
  return Object.fromEntries([
    ...Object.entries(LABELS).map(([k, v]) => [k, v[i]]),
    ...Object.entries(REFUSALS).map(([k, v]) => [`seal_${k}`, v[i]]),
  ]) as Labels
}
