/**
 * JSON Lines, in ripgrep's envelope: one `{"type": ..., "data": ...}` object per line.
 *   begin    first: tool, schema version, settings, the paths given
 *   skip     each skipped input, as it happens
 *   error    each input that could not be read, as it happens
 *   group    one per group, in report order (the JSON report's group object)
 *   summary  always last: counts, warnings (and the baseline's effect, when one was used)
 */
import type { ResolvedOptions } from '../model/settings.js';
import type { ScanEvent, ScanResult } from '../model/types.js';
import { VERSION } from '../model/version.js';
import type { ReportContext, Reporter, Writer } from './context.js';
import { jsonCounts, jsonGroup, placeFields, reportSettings } from './json.js';

export const JSONL_SCHEMA_VERSION = 1;

function line(out: Writer, type: string, data: unknown): void {
  out.write(`${JSON.stringify({ type, data })}\n`);
}

export const jsonlReporter: Reporter = (out) => ({
  begin(settings: ResolvedOptions, paths: readonly string[]) {
    line(out, 'begin', {
      schema: 'neardup/jsonl',
      version: JSONL_SCHEMA_VERSION,
      tool: { name: 'neardup', version: VERSION },
      settings: reportSettings(settings),
      paths,
    });
  },
  event(e: ScanEvent) {
    if (e.type === 'skip') line(out, 'skip', { path: e.skip.path, ...placeFields(e.skip), reason: e.skip.reason, detail: e.skip.detail });
    else if (e.type === 'error') line(out, 'error', { path: e.error.path, ...placeFields(e.error), message: e.error.message });
  },
  end(result: ScanResult, ctx: ReportContext) {
    for (const g of result.groups) line(out, 'group', jsonGroup(result.documents, g, ctx));
    line(out, 'summary', {
      counts: jsonCounts(result.stats),
      ...(ctx.baseline ? { baseline: ctx.baseline } : {}),
      warnings: result.warnings.map((w) => ({ path: w.path, ...placeFields(w), message: w.message })),
    });
  },
});
