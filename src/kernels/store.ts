/**
 * What an index query computes over its candidates, for one query document at a time (and, for
 * an index add, the encoding of a set for storage: encodeSet):
 * - how many signature positions each candidate shares with the query's signature (the
 *   signature test before exact verification);
 * - how many shingles the query shares with stored shingle sets, merged as their bytes decode
 *   (exact verification, stopped once the threshold is out of reach), a batch of sets at once.
 *
 * In WebAssembly (assembly/store.ts): a query is often the only work of its process, and there these
 * loops would run in the interpreter (boxing uint32 values) before the optimizing compiler
 * has them; the module is compiled before its first call. Where WebAssembly is not available
 * (node --jitless, a big-endian machine), the same in JavaScript.
 */

import { encodeSortedU32, sharedWithEncoded } from './codec.js';
import { tryLoadKernel } from './loader.js';

interface Exports {
  memory: WebAssembly.Memory;
  agreements: (q: number, sigs: number, n: number, k: number, out: number) => void;
  shared: (a: number, ea: number, b: number, eb: number, nb: number, needed: number) => number;
  shared_many: (a: number, ea: number, table: number, n: number) => void;
  encode: (src: number, n: number, out: number) => number;
}

const PAGE = 65536;
/** Readable bytes kept after an encoded set (the decoder reads a word, and a fifth byte, at a time). */
const SLACK = 8;
/** Bytes [0, DECODED) are the kernel's own: the values of a chunk as it decodes them. */
const DECODED = 256;

const instantiate = () => tryLoadKernel<Exports>('store');

export class QueryKernel {
  private readonly wasm: Exports | null;
  private bytes: Uint8Array = new Uint8Array(0);
  private own: Uint32Array = new Uint32Array(0);
  private signature: Uint32Array = new Uint32Array(0);
  /** The query's set is at [DECODED, ownEnd), its signature after it, then scratch space. */
  private ownEnd = 0;
  private scratch = 0;

  /** `useWasm: false` runs the JavaScript stand-in (for tests). */
  constructor(options: { useWasm?: boolean } = {}) {
    this.wasm = options.useWasm === false ? null : instantiate();
  }

  /** Whether the WebAssembly kernel runs (else the JavaScript stand-in). */
  get webAssembly(): boolean {
    return this.wasm !== null;
  }

  /** The query document: its sorted shingle set and its signature. */
  load(own: Uint32Array, signature: Uint32Array): void {
    this.own = own;
    this.signature = signature;
    if (!this.wasm) return;
    this.ownEnd = DECODED + own.length * 4;
    this.scratch = this.ownEnd + signature.length * 4;
    this.reserve(0);
    this.bytes.set(new Uint8Array(own.buffer, own.byteOffset, own.byteLength), DECODED);
    this.bytes.set(new Uint8Array(signature.buffer, signature.byteOffset, signature.byteLength), this.ownEnd);
  }

  /** Makes the memory hold `bytes` of scratch space (and the slack after it). */
  private reserve(bytes: number): void {
    const memory = this.wasm!.memory;
    const need = this.scratch + bytes + SLACK;
    if (need > memory.buffer.byteLength) memory.grow(Math.ceil((need - memory.buffer.byteLength) / PAGE));
    if (this.bytes.buffer !== memory.buffer) this.bytes = new Uint8Array(memory.buffer);
  }

  /**
   * For `count` signatures side by side in `signatures` (each as long as the query's), how many
   * positions of each equal the query signature's.
   */
  agreements(signatures: Uint32Array, count: number): Int32Array {
    const k = this.signature.length;
    if (signatures.length < count * k) throw new RangeError(`${count} signatures of ${k} values need ${count * k} values, not ${signatures.length}`);
    if (!this.wasm) {
      const out = new Int32Array(count);
      const q = this.signature;
      for (let c = 0; c < count; c++) {
        let same = 0;
        for (let i = 0, at = c * k; i < k; i++, at++) if (signatures[at] === q[i]) same++;
        out[c] = same;
      }
      return out;
    }
    const sigBytes = count * k * 4;
    this.reserve(sigBytes + count * 4);
    this.bytes.set(new Uint8Array(signatures.buffer, signatures.byteOffset, sigBytes), this.scratch);
    const out = this.scratch + sigBytes;
    this.wasm.agreements(this.ownEnd, this.scratch, count, k, out);
    return new Int32Array(this.bytes.buffer, out, count).slice();
  }

  /**
   * How many shingles the query shares with the set encoded in `encoded` (encodeSortedU32's
   * bytes, of `size` values): exact when it is at least `needed`, else some count under it.
   * -1 when the bytes do not decode to `size` ascending values.
   */
  shared(encoded: Uint8Array, size: number, needed: number): number {
    if (!this.wasm) return sharedWithEncoded(this.own, encoded, size, needed);
    this.reserve(encoded.length);
    this.bytes.set(encoded, this.scratch);
    return this.wasm.shared(DECODED, this.ownEnd, this.scratch, this.scratch + encoded.length, size, needed);
  }

  /**
   * shared() for many sets at once: `sets[i]` holds `sizes[i]` values and needs `needed[i]`.
   * One copy into the kernel's memory and one call for the whole batch.
   */
  sharedMany(sets: readonly Uint8Array[], sizes: readonly number[], needed: readonly number[]): Int32Array {
    const n = sets.length;
    const out = new Int32Array(n);
    if (!this.wasm) {
      for (let i = 0; i < n; i++) out[i] = sharedWithEncoded(this.own, sets[i]!, sizes[i]!, needed[i]!);
      return out;
    }
    let bytes = 0;
    for (const set of sets) bytes += set.length;
    // the sets side by side, then (4-aligned, past the decoder's slack) the table
    const tableAt = this.scratch + ((bytes + SLACK + 3) & ~3);
    this.reserve(tableAt - this.scratch + n * 16);
    const table = new Int32Array(this.bytes.buffer, tableAt, n * 4);
    let at = this.scratch;
    for (let i = 0; i < n; i++) {
      const set = sets[i]!;
      this.bytes.set(set, at);
      table[4 * i] = at;
      table[4 * i + 1] = at + set.length;
      table[4 * i + 2] = sizes[i]!;
      table[4 * i + 3] = needed[i]!;
      at += set.length;
    }
    this.wasm.shared_many(DECODED, this.ownEnd, tableAt, n);
    for (let i = 0; i < n; i++) out[i] = table[4 * i + 3]!;
    return out;
  }
}

let encoder: Exports | null | undefined;

/**
 * encodeSortedU32's bytes, made by the kernel (an index add stores every document's set: about
 * 5 times faster than the JavaScript loop); the JavaScript where the kernel is not available,
 * and for values that are not ascending (it names the first one out of order).
 */
export function encodeSet(values: Uint32Array): Uint8Array {
  if (encoder === undefined) encoder = instantiate();
  if (!encoder) return encodeSortedU32(values);
  const out = values.length * 4;
  const need = out + values.length * 5;
  const { memory } = encoder;
  if (need > memory.buffer.byteLength) memory.grow(Math.ceil((need - memory.buffer.byteLength) / PAGE));
  new Uint32Array(memory.buffer, 0, values.length).set(values);
  const n = encoder.encode(0, values.length, out);
  if (n < 0) return encodeSortedU32(values);
  return new Uint8Array(memory.buffer, out, n).slice();
}
