/**
 * The closed registry of scan report formats. A reporter writes to an injected Writer, never to
 * the console: `begin` before the scan (JSONL's first line), `event` for each skip or error as it
 * happens, `end` with the result.
 */
import type { Format } from '../model/settings.js';
import type { ScanResult } from '../model/types.js';
import type { OpenReport, ReportContext, Reporter, Writer } from './context.js';

/** A format that is rendered whole once the scan is over (as text, or as pieces of UTF-8). */
function whole(render: (result: ScanResult, ctx: ReportContext) => string | readonly Uint8Array[]): Reporter {
  return (out) => ({
    end: (result, ctx) => {
      const report = render(result, ctx);
      if (typeof report === 'string') out.write(report);
      else for (const piece of report) out.write(piece);
    },
  });
}

/**
 * Each format's reporter, loaded when asked for: a run imports only the one it writes (the text
 * report's colour library, for one, costs ~25 ms to load), and the index details (which load
 * the SQLite store's modules) only for a scan that uses an index (scan --db, index query).
 */
export const REPORTERS = {
  text: async (indexed = false) => {
    const { renderText } = await import('./text.js');
    if (!indexed) return whole(renderText);
    const { indexTextLine } = await import('./index-results.js');
    return whole((result, ctx) => renderText(result, ctx) + indexTextLine(result));
  },
  json: async (indexed = false) => {
    const { jsonReportBytes, writeJsonReport } = await import('./json.js');
    // written as it is made, a megabyte at a time (the report of 6,000 e-mails is 18 MB)
    if (!indexed) return (out: Writer): OpenReport => ({ end: (result, ctx) => writeJsonReport(result, ctx, out) });
    const { renderScanJson } = await import('./index-results.js');
    return whole((result, ctx) => renderScanJson(result, ctx) ?? jsonReportBytes(result, ctx));
  },
  jsonl: async () => (await import('./jsonl.js')).jsonlReporter,
  csv: async () => whole((await import('./csv.js')).renderCsv),
  sarif: async () => whole((await import('./sarif.js')).renderSarif),
  github: async () => whole((await import('./github.js')).renderGithub),
  markdown: async () => whole((await import('./markdown.js')).renderMarkdown),
} satisfies Record<Format, (indexed?: boolean) => Promise<Reporter>>;

/** Machine formats are never coloured. */
export const COLORED: Record<Format, boolean> = {
  text: true,
  json: false,
  jsonl: false,
  csv: false,
  sarif: false,
  github: false,
  markdown: false,
};
