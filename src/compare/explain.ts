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
        const src = readSource(path.resolve(cwd, d.path), result.settings.maxFileSize, d.path);
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
