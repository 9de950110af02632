/** What scan and dedup share: the command's corpus and similarity flags as the library takes them. */

import type { ScanInput } from '../engine/scan.js';
import type { ScanOptionsInput } from '../options/scan.js';
import type { ScanCommand } from './program.js';

/** The corpus and similarity options of a command, as the library takes them. */
export function scanInput(cmd: Partial<ScanCommand>): ScanInput & ScanOptionsInput {
  return {
    shingle: cmd.shingle,
    metric: cmd.metric,
    threshold: cmd.threshold,
    numPerm: cmd.numPerm,
    seed: cmd.seed,
    bands: cmd.bands,
    rows: cmd.rows,
    stem: cmd.stem,
    stopwords: cmd.stopwords,
    hidden: cmd.hidden,
    respectIgnore: cmd.ignore,
    globs: cmd.glob,
    maxFileSize: cmd.maxFilesize,
    follow: cmd.follow,
    threads: cmd.threads,
    memoryBudget: cmd.memory,
    textField: cmd.textField,
    idField: cmd.idField,
    records: cmd.records,
    stdinFormat: cmd.stdinFormat,
    filesFrom: cmd.filesFrom,
    nullSeparated: cmd.null,
    stdin: process.stdin,
  };
}
