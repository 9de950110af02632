/**
 * `scan --explain`: the alignment of reported pairs, computed on demand (only for the pairs a
 * report shows), from the files as they are now. A file that changed since it was scanned, or
 * can no longer be read, is not explained; the caller hears why.
 */
import path from 'node:path';
import { contentHash } from '../core/hash.js';
import { inputKind } from '../corpus/inputs.js';
import { decodeBuffer } from '../corpus/read.js';
import { readRecords } from '../corpus/records.js';
import { STDIN_NAME } from '../corpus/roots.js';
import { NearDupError } from '../model/errors.js';
import type { DocumentInfo, ScanResult, ScoredPair } from '../model/types.js';
import { type Alignment, alignTexts } from './align.js';
import { alignOptions, documentTexts, readSource } from './compare.js';

/**
 * The texts of the records among `documents` (by index) that the report's pairs name, read from
 * their files again: one pass over each file, as the scan read it. A record not found there
 * now is left out (explainer says so).
 */
export async function recordTexts(result: ScanResult, cwd: string): Promise<Map<number, string>> {
  const wanted = new Map<string, Map<string, number>>();
  for (const g of result.groups) {
    for (const p of g.pairs) {
      for (const i of [p.a, p.b]) {
        const d = result.documents[i]!;
        if (d.source === undefined || d.line === undefined || d.source === STDIN_NAME) continue;
        let inFile = wanted.get(d.source);
        if (!inFile) wanted.set(d.source, (inFile = new Map()));
        inFile.set(`${d.line}:${d.column ?? ''}`, i);
      }
    }
  }
  const texts = new Map<number, string>();
  const s = result.settings;
  const opts = { textField: s.textField, idField: s.idField, maxRecordBytes: s.maxFileSize, explicit: true };
  for (const [source, inFile] of wanted) {
    const kind = inputKind(source, true);
    if (!kind?.records) continue;
    try {
      for await (const item of readRecords(path.resolve(cwd, source), kind.records, kind.gzip, opts)) {
        if (item.kind !== 'record') continue;
        const i = inFile.get(`${item.line}:${item.column ?? ''}`);
        if (i !== undefined) texts.set(i, item.text);
      }
    } catch {
      // a file that cannot be read now: its records are not explained (explainer says why)
    }
  }
  return texts;
}

/** Standard input's bytes, decoded as a scan decodes a file. */
function stdinSource(bytes: Buffer): { raw: string } {
  const decoded = decodeBuffer(bytes, Infinity);
  if (!decoded.ok) throw new NearDupError('EINPUT', `${STDIN_NAME}: ${'error' in decoded ? decoded.error : decoded.detail}`);
  return { raw: decoded.text };
}

export type Explanation = { alignment: Alignment; texts: { a: string; b: string } } | { error: string };

export type Explainer = (pair: ScoredPair) => Explanation;

/**
 * An explainer for a scan's pairs. `cwd` is the folder the document paths are relative to;
 * `onProblem(message)` is called once per document that cannot be explained.
 */
export function explainer(
  result: ScanResult,
  cwd: string,
  onProblem: (message: string) => void = () => {},
  records: ReadonlyMap<number, string> = new Map(),
): Explainer {
  const texts = new Map<number, string | { error: string }>();
  const pairs = new Map<ScoredPair, Explanation>();
  const opts = alignOptions(result.settings);
  const load = (d: DocumentInfo): string | { error: string } => {
    let t = texts.get(d.index);
    if (t === undefined) {
      try {
        // a record: its text, read by recordTexts; standard input has no file to read again: the scan kept its bytes
        const record = d.source === undefined ? undefined : records.get(d.index);
        if (d.source !== undefined && record === undefined) throw new NearDupError('EINPUT', `${d.path}: no record there now`);
        let shown: string;
        let extracted: string;
        if (record !== undefined) {
          // a record's text is compared as the scan read it (a carriage return in a field is text)
          shown = extracted = record;
        } else {
          const src =
            d.path === STDIN_NAME && result.stdin ? stdinSource(result.stdin) : readSource(path.resolve(cwd, d.path), result.settings.maxFileSize, d.path);
          ({ shown, extracted } = documentTexts({ raw: src.raw, kind: d.kind }));
        }
        t = contentHash(extracted) === d.contentHash ? shown : { error: `${d.path}: changed since it was scanned; not explained` };
      } catch (err) {
        t = { error: err instanceof NearDupError ? err.message : `${d.path}: cannot read` };
      }
      if (typeof t !== 'string') onProblem(t.error);
      texts.set(d.index, t);
    }
    return t;
  };
  return (pair) => {
    let e = pairs.get(pair);
    if (!e) {
      const a = load(result.documents[pair.a]!);
      const b = load(result.documents[pair.b]!);
      if (typeof a !== 'string') e = a;
      else if (typeof b !== 'string') e = b;
      else e = { alignment: alignTexts(a, b, opts), texts: { a, b } };
      pairs.set(pair, e);
    }
    return e;
  };
}
