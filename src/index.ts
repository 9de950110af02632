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
export {
  compare,
  compareTexts,
  type CompareResult,
  type CompareScores,
  type CompareSource,
  type ComparedDocument,
} from './compare/compare.js';
export { alignTexts, type Alignment, type AlignOptions, type Passage, type Span } from './compare/align.js';
export { buildCompareJson, renderCompareJson, renderCompareText, COMPARE_SCHEMA_VERSION } from './report/compare.js';
export { NearDupError, type ErrorCode } from './errors.js';
export { buildJsonReport, renderJson, JSON_SCHEMA_VERSION, type JsonReport } from './report/json.js';
export { Sketcher, type Sketch } from './sketch/sketch.js';
export { estimateJaccard, minhashSignature } from './sketch/minhash.js';
export { exactScores, type Scores } from './match/verify.js';
export { VERSION } from './version.js';
export type * from './types.js';
export { addToIndex, type IndexAddResult } from './index-db/add.js';
export {
  queryIndex,
  scanWithIndex,
  isIndexScanResult,
  type IndexScanResult,
  type IndexPair,
  type IndexMatchInfo,
  type VerificationSource,
} from './index-db/search.js';
export { removeFromIndex, indexStats, verifyIndex, type IndexRemoveResult, type IndexStatsResult, type IndexVerifyResult } from './index-db/admin.js';
export type { IndexHooks } from './index-db/open.js';
export { INDEX_DEFAULTS, resolveIndexOptions, type IndexOptionsInput, type IndexSettings, type ResolvedIndexOptions } from './options.js';
export { openIndexStore } from './store/open.js';
export {
  SCHEMA_VERSION as INDEX_SCHEMA_VERSION,
  type IndexStore,
  type Batch,
  type BatchOutcome,
  type EntryMeta,
  type NewEntry,
  type StoredEntry,
  type StoreInfo,
} from './store/store.js';
export { buildIndexScanJson, indexTextLine, renderScanJson } from './report/index-report.js';
export { deduplicate, type DedupInput, type DedupHooks, type DedupResult, type DedupCounts } from './dedup/dedup.js';
export { planDedup, survivor, type Plan, type Removal, type GroupPlan } from './dedup/plan.js';
export { buildDedupJson, renderDedupJson, DEDUP_SCHEMA_VERSION } from './dedup/report.js';
export {
  DEDUP_DEFAULTS,
  KEEP_POLICIES,
  resolveDedupOptions,
  type DedupOptionsInput,
  type ResolvedDedupOptions,
  type KeepPolicy,
} from './options.js';
