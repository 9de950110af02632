/**
 * `scan --explain`: the alignment of reported pairs, computed on demand (only for the pairs a
 * report shows), from the files as they are now. A file that changed since it was scanned, or
 * can no longer be read, is not explained; the caller hears why.
 */
import path from 'node:path';
import { NearDupError } from '../errors.js';
import { contentHash } from '../sketch/hash.js';
import type { DocumentInfo, ScanResult, ScoredPair } from '../types.js';
import { alignTexts, type Alignment } from './align.js';
import { alignOptions, documentTexts, readSource } from './compare.js';
import { STDIN_NAME } from '../corpus/roots.js';
import { decodeBuffer } from '../corpus/read.js';

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
export function explainer(result: ScanResult, cwd: string, onProblem: (message: string) => void = () => {}): Explainer {
  const texts = new Map<number, string | { error: string }>();
  const pairs = new Map<ScoredPair, Explanation>();
  const opts = alignOptions(result.settings);
  const load = (d: DocumentInfo): string | { error: string } => {
    let t = texts.get(d.index);
    if (t === undefined) {
      try {
        // standard input has no file to read again: the scan kept its bytes
        const src = d.path === STDIN_NAME && result.stdin ? stdinSource(result.stdin) : readSource(path.resolve(cwd, d.path), result.settings.maxFileSize, d.path);
        const { shown, extracted } = documentTexts({ raw: src.raw, kind: d.kind });
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
