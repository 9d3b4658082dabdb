import type { GasWarningRecord } from '../alarms/gas/model.ts'
import type { GasDelivery } from '../store/store.ts'
import { createTransports } from './channels.ts'
import type { NotificationsConfig, Recipient } from './config.ts'

/** One push of a gas-leak warning: the warning as it stands now, the step that called for it, its area's name. */
export interface GasPushMessage {
  warning: GasWarningRecord
  push: Pick<GasDelivery, 'step' | 'action' | 'colour' | 'dueAt'>
  areaName: string
  recipient: Recipient
}

const COLOUR_ZH: Record<GasWarningRecord['colour'], string> = {
  red: '红色',
  orange: '橙色',
  yellow: '黄色',
  blue: '蓝色',
}

/** The SMS text (zh-CN, as the park's people read it): colour, what happened, where, how many detectors, when. */
export function gasSmsText(m: Pick<GasPushMessage, 'warning' | 'push' | 'areaName'>): string {
  const colour = COLOUR_ZH[m.push.colour]
  const head =
    m.push.action === 'escalated'
      ? `预警升级为${colour}`
      : m.push.action === 'notice'
        ? `${colour}预警超时未处置`
        : `${colour}预警`
  const time = new Date(m.push.dueAt + 8 * 3_600_000).toISOString().slice(5, 16).replace('T', ' ')
  return `【园区安全监测】${head}：${m.areaName} 可燃/有毒气体泄漏，同时报警探测器 ${m.warning.active.length} 个，${time}。请立即处置。`
}

/** The webhook event `gas_warning`: the step's action and colour, who it is for, and the warning. */
export function gasWebhookBody(m: GasPushMessage) {
  return {
    event: 'gas_warning',
    action: m.push.action,
    colour: m.push.colour,
    step: m.push.step,
    areaName: m.areaName,
    recipient: { id: m.recipient.id, name: m.recipient.name, category: m.recipient.category },
    warning: m.warning,
  }
}

/** The gas-leak warnings' pushes over the alarms' two channels (./channels.ts). */
export function createGasChannels(config: NotificationsConfig, env: NodeJS.ProcessEnv = process.env) {
  const out = createTransports(config, env)
  return {
    webhook: (m: GasPushMessage) => out.webhook(gasWebhookBody(m)),
    sms: (m: GasPushMessage) => out.sms(m.recipient.phone, gasSmsText(m)),
  }
}
