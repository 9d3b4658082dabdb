import { z } from 'zod'
import { IOT_LIMITS } from '../../../shared/iot/limits.ts'
import { TopicId } from '../../../shared/wire/ids.ts'

/**
 * `awsIot` in the cloud config (issue 16): when present, the cloud consumes the edges' topics
 * from AWS IoT Core with its own certificate instead of the park broker of `mqtt` (which then
 * only has to parse). Paths are relative to the config; `ca` absent: the system's trust store.
 */
export const AwsIotIngestConfig = z.strictObject({
  /** The account's data endpoint host (aws iot describe-endpoint --endpoint-type iot:Data-ATS). */
  endpoint: z
    .string()
    .regex(
      /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$/,
      'the data endpoint host only (no scheme, no port)',
    ),
  port: z.number().int().min(1).max(65_535).default(8883),
  /** Stable and unique per cloud instance (the policy allows it iot:Connect): IoT Core keeps its session under it. */
  clientId: TopicId.default('parklink-cloud'),
  cert: z.string().min(1),
  key: z.string().min(1),
  ca: z.string().min(1).optional(),
  keepaliveS: z.number().int().min(IOT_LIMITS.keepaliveMinS).max(IOT_LIMITS.keepaliveMaxS).default(60),
  /** How long IoT Core queues QoS 1 messages for the cloud while it is away (IoT Core's default and lowest maximum: 1 h). */
  sessionExpiryS: z
    .number()
    .int()
    .min(60)
    .max(7 * 86_400)
    .default(3_600),
})
export type AwsIotIngestConfig = z.infer<typeof AwsIotIngestConfig>
