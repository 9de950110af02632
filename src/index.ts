/** neardup's library API. The CLI is built on exactly this. */
export { findNearDuplicates, STDIN_NAME, type ScanHooks, type ScanInput } from './scan.js';
export type { FsPath } from './corpus/read.js';
export {
  DEFAULTS,
  resolveOptions,
  parseShingle,
  formatShingle,
  type Metric,
  type ResolvedOptions,
  type ScanOptionsInput,
  type ShingleSpec,
} from './options.js';
export { NearDupError, type ErrorCode } from './errors.js';
export { buildJsonReport, renderJson, JSON_SCHEMA_VERSION, type JsonReport } from './report/json.js';
export { Sketcher, type Sketch } from './sketch/sketch.js';
export { estimateJaccard, minhashSignature } from './sketch/minhash.js';
export { exactScores, type Scores } from './match/verify.js';
export { VERSION } from './version.js';
export type * from './types.js';
