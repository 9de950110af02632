/** neardup's library API. The CLI is built on exactly this. */
export { findNearDuplicates, STDIN_NAME, type ScanHooks, type ScanInput } from './engine/scan.js';
export type { FsPath } from './model/types.js';
export { DEFAULTS, resolveOptions, parseShingle, formatShingle, type ScanOptionsInput } from './options/scan.js';
export { type Metric, type ResolvedOptions, type ShingleSpec } from './model/settings.js';
export {
  compare,
  compareTexts,
  type CompareResult,
  type CompareScores,
  type CompareSource,
  type ComparedDocument,
} from './compare/compare.js';
export { alignTexts, type Alignment, type AlignOptions, type Passage, type Span } from './compare/align.js';
export { buildCompareJson, renderCompareJson, renderCompareText, COMPARE_SCHEMA_VERSION } from './report/compare-text.js';
export { NearDupError, type ErrorCode } from './model/errors.js';
export { buildJsonReport, renderJson, JSON_SCHEMA_VERSION, type JsonReport } from './report/json.js';
export { Sketcher, type Sketch } from './engine/sketch.js';
export { estimateJaccard, minhashSignature } from './core/minhash.js';
export { exactScores, type Scores } from './core/similarity.js';
export { VERSION } from './model/version.js';
export type * from './model/types.js';
export { addToIndex, type IndexAddResult } from './index/add.js';
export {
  queryIndex,
  scanWithIndex,
  isIndexScanResult,
  type IndexScanResult,
  type IndexPair,
  type IndexMatchInfo,
  type VerificationSource,
} from './index/search.js';
export { removeFromIndex, indexStats, verifyIndex, type IndexRemoveResult, type IndexStatsResult, type IndexVerifyResult } from './index/admin.js';
export type { IndexHooks } from './index/open.js';
export { INDEX_DEFAULTS, resolveIndexOptions, type IndexOptionsInput } from './options/index-db.js';
export { type IndexSettings, type ResolvedIndexOptions } from './model/settings.js';
export { openIndexStore } from './index/store/open.js';
export {
  SCHEMA_VERSION as INDEX_SCHEMA_VERSION,
  type IndexStore,
  type Batch,
  type BatchOutcome,
  type EntryMeta,
  type NewEntry,
  type StoredEntry,
  type StoreInfo,
} from './index/store/store.js';
export { buildIndexScanJson, indexTextLine, renderScanJson } from './report/index-results.js';
export { deduplicate, type DedupInput, type DedupHooks, type DedupResult, type DedupCounts } from './dedup/dedup.js';
export { planDedup, survivor, type Plan, type Removal, type GroupPlan } from './dedup/plan.js';
export { buildDedupJson, renderDedupJson, DEDUP_SCHEMA_VERSION } from './report/dedup.js';
export { DEDUP_DEFAULTS, KEEP_POLICIES, resolveDedupOptions, type DedupOptionsInput } from './options/dedup.js';
export { type ResolvedDedupOptions, type KeepPolicy } from './model/settings.js';
