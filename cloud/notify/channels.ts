import { errorMessage } from '../../shared/errors.ts'
import type { AlarmRecord } from '../store/store.ts'
import type { NotificationsConfig, Recipient } from './config.ts'

/**
 * The two channels. Each send resolves when the receiver accepted the push (HTTP 2xx) and
 * rejects with a reason otherwise; the dispatcher records it and retries.
 */
export interface PushMessage {
  alarm: AlarmRecord
  recipient: Recipient
  n: number
  /** An escalation: the alarm's response is overdue. */
  reason: 'alarm' | 'overdue'
}

const KIND_ZH: Record<string, string> = { HH: '高高报', H: '高报', L: '低报', LL: '低低报' }

/** The SMS text: short, in Chinese, with what an operator needs to act. */
export function smsText(alarm: AlarmRecord, reason: 'alarm' | 'overdue' = 'alarm'): string {
  const time = new Date(alarm.raisedAt + 8 * 3_600_000).toISOString().slice(5, 16).replace('T', ' ')
  return `【园区安全监测】${reason === 'overdue' ? '超时未处置 ' : ''}${alarm.priority}级${KIND_ZH[alarm.kind] ?? alarm.kind}：${alarm.pointName ?? alarm.point} 当前值${alarm.value}，限值${alarm.limit}，${time}。请及时处置。`
}

async function send(url: string, init: RequestInit, timeoutMs: number): Promise<void> {
  let res: Response
  try {
    res = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) })
  } catch (err) {
    throw new Error(`no answer from ${new URL(url).host}: ${errorMessage(err)}`, { cause: err })
  }
  await res.arrayBuffer().catch(() => undefined)
  if (!res.ok) throw new Error(`${new URL(url).host} answered HTTP ${res.status}`)
}

/** The two ways out, message-agnostic: a JSON body to the webhook, a text to a phone through the SMS gateway. */
export function createTransports(config: NotificationsConfig, env: NodeJS.ProcessEnv = process.env) {
  return {
    async webhook(body: unknown): Promise<void> {
      if (!config.webhook) throw new Error('no webhook configured')
      await send(
        config.webhook.url,
        { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) },
        config.webhook.timeoutMs,
      )
    },
    async sms(phone: string | undefined, text: string): Promise<void> {
      const sms = config.sms
      if (!sms || !phone) throw new Error('no SMS gateway or phone number')
      const token = sms.tokenEnv ? (env[sms.tokenEnv] ?? '') : ''
      const fill = (t: string) =>
        t
          .replaceAll('{phone}', encodeURIComponent(phone))
          .replaceAll('{text}', encodeURIComponent(text))
          .replaceAll('{token}', encodeURIComponent(token))
      await send(fill(sms.urlTemplate), { method: sms.method }, sms.timeoutMs)
    },
  }
}

export function createChannels(config: NotificationsConfig, env: NodeJS.ProcessEnv = process.env) {
  const out = createTransports(config, env)
  return {
    webhook: (m: PushMessage) =>
      out.webhook({
        event: m.reason === 'overdue' ? 'alarm_overdue' : 'alarm',
        n: m.n,
        recipient: { id: m.recipient.id, name: m.recipient.name, category: m.recipient.category },
        alarm: m.alarm,
      }),
    sms: (m: PushMessage) => out.sms(m.recipient.phone, smsText(m.alarm, m.reason)),
  }
}
