import { startIngest, type Ingest, type IngestOptions } from '../ingest.ts'
import { createAwsIotIngestTransport, type AwsIotIngestLinkOptions } from './aws-iot-transport.ts'

export type AwsIotIngestOptions = IngestOptions & { iot: Omit<AwsIotIngestLinkOptions, 'clock'> }

/** Ingest (../ingest.ts) from AWS IoT Core with the cloud's own certificate (issue 16). */
export function startAwsIotIngest(options: AwsIotIngestOptions): Ingest {
  const { iot, ...rest } = options
  return startIngest(rest, createAwsIotIngestTransport({ ...iot, clock: rest.clock }))
}
