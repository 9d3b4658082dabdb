/**
 * Texts of the wall display, the alarm journal, alarm kinds, roles and every server error code
 * (issue 17), merged into the dictionaries of i18n.ts. Kept apart so the pages that came later
 * add their words without editing the long list there. Kinds and video codes: the provincial
 * names (shared/domain/jiangsu-exchange.md §6.1); error codes: shared/errors.ts ErrorCodes and
 * cloud/api/errors.ts (PL_INTERNAL), plus the batch outcomes of cloud/store/store.ts.
 */
export const zhMore = {
  // Alarm kinds (threshold kinds, system kinds, video AI codes).
  kind_HH: '高高报', kind_H: '高报', kind_L: '低报', kind_LL: '低低报', kind_ROC: '变化率超限', kind_DIGITAL: '开关量报警', kind_STALE: '数据不刷新', kind_OFFLINE: '通信中断',
  kind_FYWL: '翻越围栏', kind_ZBLG: '值班在离岗', kind_ZBSG: '值班在睡岗', kind_RYJJ: '人员聚集', kind_DDH: '打电话', kind_CHY: '抽烟', kind_WDAQM: '未佩戴安全帽', kind_WCGZF: '未穿着工作服', kind_HZ: '火灾', kind_XL: '泄漏', kind_YW: '烟雾', kind_RYRQ: '人员入侵', kind_RYYJ: '人员越界',
  // Roles (cloud/auth/roles.ts).
  role_park_admin: '园区管理员', role_park_operator: '园区值班员', role_enterprise_admin: '企业管理员', role_enterprise_user: '企业用户', role_technician: '运维人员', role_auditor: '审计员', role_security_admin: '安全管理员',
  // Driver states (edge drivers).
  drv_connected: '已连接', drv_connecting: '连接中', drv_disconnected: '已断开', drv_error: '故障', drv_stopped: '已停止', drv_idle: '空闲',
  // Timeline detail fields.
  det_verdict: '研判结论', det_previous: '原结论', det_note: '备注', det_cause: '原因', det_measures: '措施', det_reason: '原因', det_until: '至', det_value: '数值', det_limit: '阈值', det_repeats: '重复次数', det_kind: '类型', det_priority: '等级', det_contact: '联系次数', det_minutes: '分钟', det_dueAt: '响应期限', det_historical: '补传数据', det_foundInBacklog: '积压数据中发现', det_firstSeenLiveAt: '首次实时发现', det_correctedFrom: '更正自', det_instantaneous: '瞬时', det_offsetS: '偏差（秒）', det_thresholdS: '阈值（秒）', det_code: '代码', det_topic: '事件主题', det_snapshotError: '抓图失败', det_raises: '报警次数', det_windowS: '时间窗（秒）', det_latched: '已合并', det_items: '对象', det_alarm: '报警', det_windows: '维护窗口', det_since: '自', det_by: '操作人', yes: '是', no: '否',
  // The wall display.
  wall: '大屏', wallTitle: '园区安全风险监测预警大屏', todayAlarms: '今日报警', prioLevel: '{p}级', activeNow: '当前报警', overdueNow: '超时未响应', disposalRate: '今日处置率',
  edgesOnline: '网关在线', enterprisesOnline: '企业在线', completenessToday: '今日数据完整率', parkPlan: '园区平面示意图', alarmTicker: '实时报警', perHour: '近24小时每小时报警数',
  topPoints: '近24小时报警最多的点位', streamDown: '实时报警连接中断 — 画面可能不是最新，正在重连…', streamUp: '实时连接正常', times: '次', hourMark: '{h}时', updatedAt: '数据更新于',
  noAlarmLegend: '无报警', offlineLegend: '企业离线', hazardLegend: '重大危险源', planGrid: '未登记坐标：按网格排列',
  // The alarm journal.
  journal: '报警日志', all: '全部', search: '查询', reset: '重置', prev: '上一页', next: '下一页', pageN: '第 {n} 页', selectAll: '全选本页', selectedN: '已选 {n} 条',
  bulkAck: '批量确认', bulkTriage: '批量研判', bulkClose: '批量关闭', shelve: '搁置', unshelve: '取消搁置', shelveReason: '搁置原因', minutes: '分钟', outcome: '处理结果', outcomeOk: '成功',
  stateOpen: '未关闭', stateActive: '报警中', stateAll: '全部', fromTime: '起', toTime: '止', nothingSelected: '请先勾选报警', textFilter: '点位编号或名称', working: '处理中…', doneN: '完成：成功 {ok} 条，未成功 {fail} 条',
  shelvedUntil: '搁置至', outOfService: '停用中', overlayReason: '原因', shelveThis: '搁置此报警', csvRows: '条', netError: '无法连接平台，请检查网络', system: '系统', off_death: '已下线', off_silent: '超时无通信', truncated: '仅显示前 {n} 条',
  // Server error codes (shared/errors.ts, cloud/api/errors.ts); {s}: seconds to wait.
  err_PL_CONFIG_INVALID: '配置有误，请检查配置文件', err_PL_CONFIG_UNREADABLE: '配置文件无法读取', err_PL_DEVICE_UNREACHABLE: '设备无法连接', err_PL_DEVICE_TIMEOUT: '设备响应超时', err_PL_DEVICE_EXCEPTION: '设备返回异常',
  err_PL_DECODE_FAILED: '数据解析失败', err_PL_PAYLOAD_INVALID: '报文格式有误', err_PL_OUTBOX_FAILED: '网关缓存写入失败', err_PL_OUTBOX_DISK_FULL: '网关磁盘已满', err_PL_STORE_FAILED: '平台数据库暂时不可用，请稍后再试',
  err_PL_LISTEN_FAILED: '服务端口无法监听', err_PL_BAD_REQUEST: '请求内容有误，请检查填写的内容', err_PL_NOT_FOUND: '不存在或无权查看', err_PL_STATE_CONFLICT: '当前状态不允许此操作（请刷新后查看最新状态）',
  err_PL_FORBIDDEN: '当前角色无此权限，请联系安全管理员', err_PL_ACCOUNT_LOCKED: '账号已被暂时锁定，请稍后再试或请安全管理员解锁', err_PL_EDGE_UNREACHABLE: '网关未在规定时间内应答', err_PL_PAYLOAD_TOO_LARGE: '提交的内容过大，请分批提交',
  err_PL_MESSAGE_TOO_LARGE: '消息超过代理服务器的大小限制', err_PL_FOREIGN_POINT: '该点位不属于此网关', err_PL_FOREIGN_CAMERA: '该摄像机不属于此网关', err_PL_SITE_MISMATCH: '站点与登记不符', err_PL_UNREQUESTED_SNAPSHOT: '未经请求的抓图',
  err_PL_INTERNAL: '平台内部错误，请记下时间并联系管理员', err_ALARM_STATE_CONFLICT: '当前状态不允许此操作', err_NOT_FOUND: '报警不存在或无权查看', err_BAD_REQUEST: '请求内容有误', err_HTTP: '服务暂时不可用（HTTP {s}）', err_BAD_LOGIN_ANSWER: '登录应答无效',
}

export const enMore: Record<keyof typeof zhMore, string> = {
  kind_HH: 'high-high', kind_H: 'high', kind_L: 'low', kind_LL: 'low-low', kind_ROC: 'rate of change', kind_DIGITAL: 'digital alarm', kind_STALE: 'not refreshed', kind_OFFLINE: 'communication lost',
  kind_FYWL: 'fence climbing', kind_ZBLG: 'off post', kind_ZBSG: 'asleep on duty', kind_RYJJ: 'crowd', kind_DDH: 'phone call', kind_CHY: 'smoking', kind_WDAQM: 'no helmet', kind_WCGZF: 'no workwear', kind_HZ: 'fire', kind_XL: 'leak', kind_YW: 'smoke', kind_RYRQ: 'intrusion', kind_RYYJ: 'line crossing',
  role_park_admin: 'park administrator', role_park_operator: 'park operator', role_enterprise_admin: 'enterprise administrator', role_enterprise_user: 'enterprise user', role_technician: 'technician', role_auditor: 'auditor', role_security_admin: 'security administrator',
  drv_connected: 'connected', drv_connecting: 'connecting', drv_disconnected: 'disconnected', drv_error: 'error', drv_stopped: 'stopped', drv_idle: 'idle',
  det_verdict: 'verdict', det_previous: 'previous', det_note: 'note', det_cause: 'cause', det_measures: 'measures', det_reason: 'reason', det_until: 'until', det_value: 'value', det_limit: 'limit', det_repeats: 'repeats', det_kind: 'kind', det_priority: 'priority', det_contact: 'contact', det_minutes: 'minutes', det_dueAt: 'respond by', det_historical: 'from the backlog', det_foundInBacklog: 'found in the backlog', det_firstSeenLiveAt: 'first seen live', det_correctedFrom: 'corrected from', det_instantaneous: 'instantaneous', det_offsetS: 'offset (s)', det_thresholdS: 'threshold (s)', det_code: 'code', det_topic: 'event topic', det_snapshotError: 'snapshot failed', det_raises: 'raises', det_windowS: 'window (s)', det_latched: 'latched', det_items: 'items', det_alarm: 'alarm', det_windows: 'maintenance windows', det_since: 'since', det_by: 'by', yes: 'yes', no: 'no',
  wall: 'Wall', wallTitle: 'Park safety monitoring wall', todayAlarms: 'Alarms today', prioLevel: 'Class {p}', activeNow: 'Active', overdueNow: 'Overdue', disposalRate: 'Disposal rate today',
  edgesOnline: 'Edges online', enterprisesOnline: 'Enterprises online', completenessToday: 'Completeness today', parkPlan: 'Park plan', alarmTicker: 'Live alarms', perHour: 'Alarms per hour, last 24 h',
  topPoints: 'Points raising most, last 24 h', streamDown: 'Live alarm stream lost: this screen may be out of date, reconnecting…', streamUp: 'Live', times: 'times', hourMark: '{h}:00', updatedAt: 'Updated',
  noAlarmLegend: 'No alarm', offlineLegend: 'Enterprise offline', hazardLegend: 'Major hazard source', planGrid: 'No coordinates registered: laid out on a grid',
  journal: 'Alarm journal', all: 'All', search: 'Search', reset: 'Reset', prev: 'Previous', next: 'Next', pageN: 'Page {n}', selectAll: 'Select page', selectedN: '{n} selected',
  bulkAck: 'Acknowledge selected', bulkTriage: 'Triage selected', bulkClose: 'Close selected', shelve: 'Shelve', unshelve: 'Unshelve', shelveReason: 'Reason for shelving', minutes: 'min', outcome: 'Outcome', outcomeOk: 'Done',
  stateOpen: 'Not closed', stateActive: 'Active', stateAll: 'All', fromTime: 'From', toTime: 'To', nothingSelected: 'Select alarms first', textFilter: 'Point id or name', working: 'Working…', doneN: 'Done: {ok} succeeded, {fail} did not',
  shelvedUntil: 'Shelved until', outOfService: 'Out of service', overlayReason: 'Reason', shelveThis: 'Shelve this alarm', csvRows: 'rows', netError: 'The platform cannot be reached: check the network', system: 'system', off_death: 'went offline', off_silent: 'silent too long', truncated: 'first {n} shown',
  err_PL_CONFIG_INVALID: 'The configuration is invalid: check the config file', err_PL_CONFIG_UNREADABLE: 'The config file cannot be read', err_PL_DEVICE_UNREACHABLE: 'The device cannot be reached', err_PL_DEVICE_TIMEOUT: 'The device did not answer in time', err_PL_DEVICE_EXCEPTION: 'The device answered with an exception',
  err_PL_DECODE_FAILED: 'The data could not be decoded', err_PL_PAYLOAD_INVALID: 'The message is malformed', err_PL_OUTBOX_FAILED: 'The edge outbox could not write', err_PL_OUTBOX_DISK_FULL: 'The edge disk is full', err_PL_STORE_FAILED: 'The platform database is unavailable: try again shortly',
  err_PL_LISTEN_FAILED: 'The service cannot listen on its port', err_PL_BAD_REQUEST: 'The request is not valid: check what was entered', err_PL_NOT_FOUND: 'Not found, or not yours to see', err_PL_STATE_CONFLICT: 'The current state does not allow this step (reload to see it)',
  err_PL_FORBIDDEN: 'Your role may not do this: ask a security administrator', err_PL_ACCOUNT_LOCKED: 'The account is locked for a while: try later or ask a security administrator', err_PL_EDGE_UNREACHABLE: 'The edge did not answer in time', err_PL_PAYLOAD_TOO_LARGE: 'Too much at once: send it in parts',
  err_PL_MESSAGE_TOO_LARGE: 'The message is over the broker limit', err_PL_FOREIGN_POINT: 'The point does not belong to this edge', err_PL_FOREIGN_CAMERA: 'The camera does not belong to this edge', err_PL_SITE_MISMATCH: 'The site differs from the registry', err_PL_UNREQUESTED_SNAPSHOT: 'A snapshot nobody asked for',
  err_PL_INTERNAL: 'Internal error: note the time and tell the administrator', err_ALARM_STATE_CONFLICT: 'The alarm state does not allow this step', err_NOT_FOUND: 'No such alarm, or not yours to see', err_BAD_REQUEST: 'The request is not valid', err_HTTP: 'The service is unavailable (HTTP {s})', err_BAD_LOGIN_ANSWER: 'The login answer is not valid',
}
