/**
 * The sketch stage: text -> prepared text -> units -> shingle hashes -> MinHash signature and
 * the sorted set of distinct shingles. A pure function of (text, settings), so it runs in
 * worker threads; scratch buffers are reused from one document to the next.
 */
import type { ResolvedOptions } from '../options.js';
import { prepareText } from '../text/normalize.js';
import { shingleStream, sortUnique } from '../text/shingle.js';
import { createTokenizer, type Tokenizer } from '../text/tokenize.js';
import { U32Arena } from './arena.js';
import { minhashSignature } from './minhash.js';

export interface Sketch {
  /** Number of units (letters or words) after normalisation. */
  units: number;
  /** Distinct shingle hashes, sorted ascending. */
  shingles: Uint32Array;
  signature: Uint32Array;
}

export type SketchSettings = Pick<ResolvedOptions, 'shingle' | 'numPerm' | 'seed' | 'stem' | 'stopwords'>;

export class Sketcher {
  private readonly tokenizer: Tokenizer;
  private scratch = new Uint32Array(4096);
  private readonly sigScratch: Uint32Array;
  /** Where the sets and signatures this sketcher returns live. */
  readonly arena = new U32Arena();

  constructor(readonly settings: SketchSettings) {
    this.tokenizer = createTokenizer({
      unit: settings.shingle.unit,
      seed: settings.seed,
      stem: settings.stem,
      stopwords: settings.stopwords,
    });
    this.sigScratch = new Uint32Array(settings.numPerm);
  }

  private stream(text: string): { units: number; hashes: Uint32Array } {
    const units = this.tokenizer.units(prepareText(text));
    if (this.scratch.length < units.length) this.scratch = new Uint32Array(units.length + (units.length >>> 1));
    return { units: units.length, hashes: shingleStream(units, this.settings.shingle.size, this.settings.seed, this.scratch) };
  }

  /** The shingle set alone (what exact verification needs), in arena memory. */
  shingles(text: string): { units: number; shingles: Uint32Array } {
    const { units, hashes } = this.stream(text);
    return { units, shingles: this.arena.copy(sortUnique(hashes)) };
  }

  /**
   * Signature and shingle set, in arena memory. With keepSet false the set is a view of a
   * scratch buffer, valid only until the next call (its length is still the distinct count).
   */
  sketch(text: string, keepSet = true): Sketch {
    const { units, hashes } = this.stream(text);
    const signature = this.arena.copy(minhashSignature(hashes, this.settings.numPerm, this.settings.seed, this.sigScratch));
    const set = sortUnique(hashes);
    return { units, signature, shingles: keepSet ? this.arena.copy(set) : set };
  }
}
