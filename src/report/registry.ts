/**
 * The closed registry of scan report formats. A reporter writes to an injected Writer, never to
 * the console: `begin` before the scan (JSONL's first line), `event` for each skip or error as it
 * happens, `end` with the result.
 */
import { FORMATS, type Format, type ResolvedOptions } from '../options/scan.js';
import type { Explainer } from '../compare/explain.js';
import type { ScanEvent, ScanResult } from '../model/types.js';

export { FORMATS, type Format };

/** Where a report goes: stdout, or a file that appears whole at the end. */
export interface Writer {
  /** Text, or bytes of UTF-8 (the JSON report writes its large parts as bytes). */
  write(chunk: string | Uint8Array): void;
  /**
   * Resolves once every chunk written so far is out of the writer's hands (written to its file
   * or pipe), so that the bytes of one may be changed; a writer without it may keep them.
   */
  settled?(): Promise<void>;
}

/** What a baseline did to this run (the result a reporter gets then holds only the new groups). */
export interface BaselineInfo {
  /** The baseline file, as given. */
  file: string;
  /** Groups found that the baseline records (not reported). */
  known: number;
  /** Groups found that it does not record (reported). */
  new: number;
  /** Groups it records that this scan did not find. */
  absent: number;
  /** True when this run wrote the baseline (`--update-baseline`): every group is reported. */
  updated: boolean;
}

export interface ReportContext {
  colorLevel: 0 | 1 | 2 | 3;
  /** Folder the document paths are relative to (absolute). */
  cwd: string;
  /** The repository root (the enclosing git work tree, else cwd): SARIF URIs are relative to it. */
  root: string;
  baseline?: BaselineInfo;
  /** How a reported pair aligns, when `--explain` asked (computed on demand). */
  explain?: Explainer;
  /** Passages shown per explained pair, and characters kept at each end of a long shared one. */
  passages?: number;
  context?: number;
}

export interface ReportSession {
  /** Before the scan starts. */
  begin?(settings: ResolvedOptions, paths: readonly string[]): void;
  /** A skip or an error, as it happens. */
  event?(event: ScanEvent): void;
  /** The result: the report itself (or its last lines); a promise when it is written as it is made. */
  end(result: ScanResult, ctx: ReportContext): void | Promise<void>;
}

export type Reporter = (out: Writer) => ReportSession;

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
    if (!indexed) return (out: Writer): ReportSession => ({ end: (result, ctx) => writeJsonReport(result, ctx, out) });
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
