export { csvCell, toCsv } from '../../shared/csv.ts'
