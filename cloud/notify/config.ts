import { z } from 'zod'
import { Priority } from '../../shared/rules/priority.ts'
import { TopicId } from '../../shared/wire/ids.ts'

/**
 * Who is told about an alarm, how and when (brief §5, "who is told, and how often"): each
 * recipient belongs to a supervision category with a push schedule; channels are a generic
 * webhook (JSON) and an SMS gateway over HTTP. Secrets (gateway tokens) come from environment
 * variables named here, never from the file.
 */
export const Category = z.enum(['park-supervision', 'principal', 'safety-director', 'safety-officer', 'special'])
export type Category = z.infer<typeof Category>

export const Schedule = z.strictObject({
  /** The priorities this category is told about. */
  priorities: z.array(Priority).min(1),
  /** Minutes after the alarm of the first push. */
  delayMin: z
    .number()
    .min(0)
    .max(24 * 60)
    .default(0),
  /** How many pushes in all, every `everyMin` minutes. */
  times: z.number().int().min(1).max(100).default(1),
  everyMin: z
    .number()
    .positive()
    .max(24 * 60)
    .default(1),
  /**
   * When the category is told: at the raise, or once a person triages the alarm valid (001:
   * "当系统将报警信息确认为真实有效报警后…推送"), its delays then counted from the triage.
   * Absent: defaultPushOn.
   */
  pushOn: z.enum(['raise', 'valid']).optional(),
})
export type Schedule = z.infer<typeof Schedule>
export type PushOn = NonNullable<Schedule['pushOn']>

/** The park's own categories are told at the raise (brief §5); an enterprise's once the center has found the alarm valid (issue 14). */
export const defaultPushOn: Record<Category, PushOn> = {
  'park-supervision': 'raise',
  principal: 'valid',
  'safety-director': 'valid',
  'safety-officer': 'valid',
  special: 'raise',
}

/** Brief §5 table. */
export const defaultSchedules: Record<Category, Schedule> = {
  'park-supervision': { priorities: ['S'], delayMin: 3, times: 1, everyMin: 1 },
  principal: { priorities: ['S', 'A'], delayMin: 0, times: 1, everyMin: 1 },
  'safety-director': { priorities: ['S', 'A', 'B'], delayMin: 0, times: 1, everyMin: 1 },
  'safety-officer': { priorities: ['S', 'A', 'B', 'C'], delayMin: 0, times: 1, everyMin: 1 },
  special: { priorities: ['S', 'A', 'B', 'C', 'D'], delayMin: 0, times: 3, everyMin: 1 },
}

export const Channel = z.enum(['webhook', 'sms'])
export type Channel = z.infer<typeof Channel>

export const Recipient = z.strictObject({
  id: TopicId,
  name: z.string().min(1).max(64),
  category: Category,
  /** Only this enterprise's alarms (absent: every alarm, e.g. the park's bureau). */
  enterprise: TopicId.optional(),
  channels: z.array(Channel).min(1),
  /** For SMS. */
  phone: z
    .string()
    .regex(/^\+?\d{5,15}$/, 'a phone number: digits, optionally with +')
    .optional(),
})
export type Recipient = z.infer<typeof Recipient>

export const NotificationsConfig = z
  .strictObject({
    webhook: z
      .strictObject({ url: z.string().url(), timeoutMs: z.number().int().min(100).max(60_000).default(5_000) })
      .optional(),
    sms: z
      .strictObject({
        /** e.g. https://sms.example/send?to={phone}&text={text}&token={token} — placeholders are URL-encoded. */
        urlTemplate: z.string().min(1),
        method: z.enum(['GET', 'POST']).default('GET'),
        /** Environment variable holding the gateway token, put into {token}. */
        tokenEnv: z
          .string()
          .regex(/^[A-Za-z_][A-Za-z0-9_]*$/)
          .optional(),
        timeoutMs: z.number().int().min(100).max(60_000).default(5_000),
      })
      .optional(),
    /** Attempts per push before it is recorded failed; retries back off 1, 2, 4 … min. */
    attempts: z.number().int().min(1).max(10).default(3),
    schedules: z.partialRecord(Category, Schedule).default({}),
    /** Told once when an alarm's response is overdue (001: S/A 3 min, others 10 min), whatever its priority. */
    escalateTo: z.array(Category).default(['park-supervision']),
    recipients: z.array(Recipient).default([]),
  })
  .superRefine((c, ctx) => {
    c.recipients.forEach((r, i) => {
      if (r.channels.includes('webhook') && !c.webhook)
        ctx.addIssue({
          code: 'custom',
          path: ['recipients', i, 'channels'],
          message: 'no webhook is configured (notifications.webhook)',
        })
      if (r.channels.includes('sms') && !c.sms)
        ctx.addIssue({
          code: 'custom',
          path: ['recipients', i, 'channels'],
          message: 'no SMS gateway is configured (notifications.sms)',
        })
      if (r.channels.includes('sms') && !r.phone)
        ctx.addIssue({ code: 'custom', path: ['recipients', i, 'phone'], message: 'SMS needs a phone number' })
    })
  })
export type NotificationsConfig = z.infer<typeof NotificationsConfig>
