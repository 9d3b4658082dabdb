// Engine-neutral since the PostgreSQL ingest writes the same value columns (cloud/store/values.ts).
export { decodeValue, encodeValue, toStoredSample } from '../values.ts'
