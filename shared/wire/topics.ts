import { TopicId } from './ids.ts'

export const TOPIC_ROOT = 'parklink/v1'
/** cmd: cloud → edge requests (a snapshot for an alarm), QoS 1, not retained. */
export const Channels = ['data', 'status', 'ack', 'cmd'] as const
export type Channel = (typeof Channels)[number]

export interface TopicAddress {
  site: string
  edge: string
  channel: Channel
}

/** parklink/v1/{site}/{edge}/{channel}; ids are validated so they can't inject topic levels. */
export function topic(site: string, edge: string, channel: Channel): string {
  TopicId.parse(site)
  TopicId.parse(edge)
  return `${TOPIC_ROOT}/${site}/${edge}/${channel}`
}

/** Subscription filter for one channel of every edge of every site (MQTT §4.7.1.3 '+'). */
export function channelFilter(channel: Channel, site = '+'): string {
  return `${TOPIC_ROOT}/${site}/+/${channel}`
}

export function parseTopic(name: string): TopicAddress | null {
  const parts = name.split('/')
  if (parts.length !== 5 || `${parts[0]}/${parts[1]}` !== TOPIC_ROOT) return null
  const [, , site, edge, channel] = parts as [string, string, string, string, string]
  if (!TopicId.safeParse(site).success || !TopicId.safeParse(edge).success) return null
  if (!(Channels as readonly string[]).includes(channel)) return null
  return { site, edge, channel: channel as Channel }
}
