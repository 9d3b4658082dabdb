/** The (value, value_text) mapping is engine-neutral (cloud/store/sample-values.ts); kept here for the SQLite modules that import it. */
export { decodeValue, encodeValue, toStoredSample } from '../sample-values.ts'
