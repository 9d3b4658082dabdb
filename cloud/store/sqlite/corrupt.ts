/** The report's shape and its default are engine-neutral (cloud/store/historian/corrupt.ts). */
export { logCorrupt, type CorruptPart, type OnCorrupt } from '../historian/corrupt.ts'
