/** What every report format is given: where to write, and the context of the run. */
import type { Explainer } from '../compare/explain.js';
import type { ResolvedOptions } from '../model/settings.js';
import type { ScanEvent, ScanResult } from '../model/types.js';

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

/** A report being written: begun before the scan, fed its events, ended with its result. */
export interface OpenReport {
  /** Before the scan starts. */
  begin?(settings: ResolvedOptions, paths: readonly string[]): void;
  /** A skip or an error, as it happens. */
  event?(event: ScanEvent): void;
  /** The result: the report itself (or its last lines); a promise when it is written as it is made. */
  end(result: ScanResult, ctx: ReportContext): void | Promise<void>;
}

export type Reporter = (out: Writer) => OpenReport;
