/** neardup's library API. The CLI is built on exactly this. */

export { type Alignment, type AlignOptions, alignTexts, type Passage, type Span } from './compare/align.js';
export {
  type ComparedDocument,
  type CompareResult,
  type CompareScores,
  type CompareSource,
  compare,
  compareTexts,
} from './compare/compare.js';
export { estimateJaccard, minhashSignature } from './core/minhash.js';
export { exactScores, type Scores } from './core/similarity.js';
export { type DedupCounts, type DedupHooks, type DedupInput, type DedupResult, deduplicate } from './dedup/dedup.js';
export { type GroupPlan, type Plan, planDedup, type Removal, survivor } from './dedup/plan.js';
export { findNearDuplicates, type ScanHooks, type ScanInput, STDIN_NAME } from './engine/scan.js';
export { type Sketch, Sketcher } from './engine/sketch.js';
export { addToIndex } from './index/add.js';
export { indexStats, removeFromIndex, verifyIndex } from './index/admin.js';
export type { IndexHooks } from './index/open.js';
export { queryIndex, scanWithIndex } from './index/search.js';
export { openIndexStore } from './index/store/open.js';
export {
  type Batch,
  type BatchOutcome,
  type EntryMeta,
  type IndexStore,
  type NewEntry,
  SCHEMA_VERSION as INDEX_SCHEMA_VERSION,
  type StoredEntry,
} from './index/store/store.js';
export { type ErrorCode, NearDupError } from './model/errors.js';
export {
  type IndexAddResult,
  type IndexMatchInfo,
  type IndexPair,
  type IndexRemoveResult,
  type IndexScanResult,
  type IndexStatsResult,
  type IndexVerifyResult,
  isIndexScanResult,
  type StoreInfo,
  type VerificationSource,
} from './model/index-results.js';
export type { IndexSettings, KeepPolicy, Metric, ResolvedDedupOptions, ResolvedIndexOptions, ResolvedOptions, ShingleSpec } from './model/settings.js';
export type * from './model/types.js';
export { VERSION } from './model/version.js';
export { DEDUP_DEFAULTS, type DedupOptionsInput, KEEP_POLICIES, resolveDedupOptions } from './options/dedup.js';
export { INDEX_DEFAULTS, type IndexOptionsInput, resolveIndexOptions } from './options/index-db.js';
export { DEFAULTS, formatShingle, parseShingle, resolveOptions, type ScanOptionsInput } from './options/scan.js';
export { buildCompareJson, COMPARE_SCHEMA_VERSION, renderCompareJson, renderCompareText } from './report/compare-text.js';
export { buildDedupJson, DEDUP_SCHEMA_VERSION, renderDedupJson } from './report/dedup.js';
export { buildIndexScanJson, indexTextLine, renderScanJson } from './report/index-results.js';
export { buildJsonReport, JSON_SCHEMA_VERSION, type JsonReport, renderJson } from './report/json.js';
