import { z } from 'zod'

/**
 * Identifiers that appear in MQTT topics: no '/', '+', '#' (MQTT v3.1.1 §4.7 wildcards and
 * level separator), no spaces; short enough for logs and filenames.
 */
export const TopicId = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/,
    'use 1–64 letters, digits, "_", "-" or ".", starting with a letter or digit',
  )

/** Point ids are global in the park: by convention `{enterprise}.{unit}.{tag}`. */
export const PointId = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/,
    'use 1–128 letters, digits, "_", "-", ".", ":" starting with a letter or digit',
  )
export type PointId = z.infer<typeof PointId>
