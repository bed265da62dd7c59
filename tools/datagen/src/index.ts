export {
  generateTeddyData,
  type GenerateOptions,
  type GenerateResult,
  type GenerateCounts,
} from './generate';
export { SOURCE_FILES, type SourceName } from './files';
export { LANDING, landingFile, landTeddyHistory, landTeddyDay, dayAfter, rawTables, type LandingResult } from './landing';
export { ORDER_STATUSES, type OrderStatus } from './orders';
export { DEFAULT_LINES, DEFAULT_SEED, MIN_LINES, MAX_LINES, scaleFor, type Scale } from './scale';
export { FIRST_DAY, LAST_DAY } from './calendar';
export { csvField } from './csv';
export { Random } from './prng';
