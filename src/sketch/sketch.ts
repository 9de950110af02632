/**
 * The sketch stage: text -> normalised units -> shingle set -> MinHash signature. A pure
 * function of (text, settings), so it can run in worker threads.
 */
import type { ResolvedOptions } from '../options.js';
import { normalizeText } from '../text/normalize.js';
import { shingleHashes } from '../text/shingle.js';
import { createTokenizer, type Tokenizer } from '../text/tokenize.js';
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
  constructor(readonly settings: SketchSettings) {
    this.tokenizer = createTokenizer({
      unit: settings.shingle.unit,
      seed: settings.seed,
      stem: settings.stem,
      stopwords: settings.stopwords,
    });
  }

  /** The shingle set alone (what exact verification needs). */
  shingles(text: string): { units: number; shingles: Uint32Array } {
    const units = this.tokenizer.units(normalizeText(text));
    return { units: units.length, shingles: shingleHashes(units, this.settings.shingle.size, this.settings.seed) };
  }

  sketch(text: string): Sketch {
    const { units, shingles } = this.shingles(text);
    return { units, shingles, signature: minhashSignature(shingles, this.settings.numPerm, this.settings.seed) };
  }
}
