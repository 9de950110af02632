/**
 * The JSON report's rows, group members and pairs (most of a large report's bytes), written by
 * a WebAssembly kernel (assembly/json.ts) from programs of byte templates, paths, scores and integers:
 * json.ts hands it rows of uint32 columns and takes back UTF-8 bytes.
 *
 * Why: a report is written once, at the end of a run, by loops V8 has not optimised yet; there
 * each field cost a call and a small copy (~100 ns), and joining strings instead filled the young
 * generation with garbage (fresh pages). Measured on SpamAssassin's 18 MB report, written once in
 * a fresh process after its scan: ~100 ms in JavaScript, ~55 ms with the kernel.
 * Where WebAssembly is not available (node --jitless, a big-endian machine) json.ts writes the
 * same bytes in JavaScript.
 */

import { tryLoadKernel } from './loader.js';

interface Exports {
  memory: WebAssembly.Memory;
  written: { value: number };
  rows: (prog: number, ops: number, rows: number, cols: number, n: number, paths: number, out: number, cap: number, rowMax: number, first: number) => number;
}

/** What a program's op writes: a template (before the list's first row, or before others), a template, or a column's value. */
export type Op = { separator: readonly [first: string, next: string] } | { text: string } | { path: number } | { score: number } | { int: number };

/** Whether an integer column can hold x. */
export function fitsColumn(x: number): boolean {
  return Number.isInteger(x) && x >= 0 && x <= 0xffffffff;
}

const PAGE = 65536;
/** The most rows write() takes at once (~0.6 MB of JSON of pairs). */
export const ROWS_AT_ONCE = 2048;
/** Bytes the kernel writes before they are copied out (at least two rows' most). */
const OUT = 1 << 18;
const SCORE_BYTES = 6;
const INT_BYTES = 10;

const instantiate = () => tryLoadKernel<Exports>('json');

interface Program {
  at: number;
  ops: number;
  cols: number;
  /** The most bytes one row can take. */
  rowMax: number;
}

/**
 * The kernel with the report's templates and paths in its memory. `paths` are the documents'
 * paths as JSON.stringify writes them (quotes included), for the documents rows name (others
 * undefined).
 */
export class RowKernel {
  private u8: Uint8Array;
  private u32: Uint32Array;
  private readonly pathTable: number;
  private readonly rowsAt: number;
  private readonly outAt: number;
  private readonly outCap: number;
  private readonly programs: Program[] = [];
  private maxCols = 0;
  /** 1 for each document whose path the kernel has. */
  private readonly known: Uint8Array;

  /** The kernel, or null where WebAssembly is not available. */
  static open(paths: readonly (string | undefined)[], programs: readonly (readonly Op[])[]): RowKernel | null {
    const wasm = instantiate();
    return wasm && new RowKernel(wasm, paths, programs);
  }

  private constructor(
    private readonly wasm: Exports,
    paths: readonly (string | undefined)[],
    programs: readonly (readonly Op[])[],
  ) {
    this.u8 = new Uint8Array(wasm.memory.buffer);
    this.u32 = new Uint32Array(wasm.memory.buffer);
    this.known = new Uint8Array(paths.length);
    const encoder = new TextEncoder();
    // the paths: one string, encoded at once (each path on its own when any is not ASCII)
    let joined = '';
    let maxPath = 0;
    for (const p of paths) if (p !== undefined) joined += p;
    let at = 64;
    this.pathTable = at;
    at += 8 * paths.length;
    this.reserve(at + 3 * joined.length);
    const written = encoder.encodeInto(joined, this.u8.subarray(at)).written;
    const ascii = written === joined.length;
    for (let d = 0; d < paths.length; d++) {
      const p = paths[d];
      if (p === undefined) continue;
      const len = ascii ? p.length : encoder.encodeInto(p, this.u8.subarray(at)).written;
      this.u32[(this.pathTable >> 2) + 2 * d] = at;
      this.u32[(this.pathTable >> 2) + 2 * d + 1] = len;
      at += len;
      if (len > maxPath) maxPath = len;
      this.known[d] = 1;
    }
    // the templates, then each program's ops
    const templates = new Map<string, number>();
    const template = (s: string): number => {
      let t = templates.get(s);
      if (t === undefined) {
        const bytes = encoder.encode(s);
        at = (at + 3) & ~3;
        this.reserve(at + 4 + bytes.length);
        this.u32[at >> 2] = bytes.length;
        this.u8.set(bytes, at + 4);
        templates.set(s, (t = at));
        at += 4 + bytes.length;
      }
      return t;
    };
    const byteLength = (s: string) => Buffer.byteLength(s);
    for (const ops of programs) {
      const words: number[] = [];
      let rowMax = 0;
      let cols = 0;
      for (const op of ops) {
        if ('separator' in op) {
          words.push(0, template(op.separator[0]), template(op.separator[1]));
          rowMax += Math.max(byteLength(op.separator[0]), byteLength(op.separator[1]));
        } else if ('text' in op) {
          words.push(1, template(op.text), 0);
          rowMax += byteLength(op.text);
        } else {
          const [kind, col, most] = 'path' in op ? [2, op.path, maxPath] : 'score' in op ? [3, op.score, SCORE_BYTES] : [4, op.int, INT_BYTES];
          words.push(kind, col, 0);
          rowMax += most;
          cols = Math.max(cols, col + 1);
        }
      }
      at = (at + 3) & ~3;
      this.reserve(at + 4 * words.length);
      this.u32.set(words, at >> 2);
      this.programs.push({ at, ops: ops.length, cols, rowMax });
      at += 4 * words.length;
      this.maxCols = Math.max(this.maxCols, cols);
    }
    this.rowsAt = at;
    this.outAt = at + 4 * ROWS_AT_ONCE * this.maxCols;
    this.outCap = Math.max(OUT, 2 * Math.max(...this.programs.map((p) => p.rowMax)));
    this.reserve(this.outAt + this.outCap);
  }

  /** Whether the kernel has document d's path (rows may name it). */
  hasPath(d: number): boolean {
    return this.known[d] === 1;
  }

  private reserve(bytes: number): void {
    const memory = this.wasm.memory;
    if (bytes > memory.buffer.byteLength) memory.grow(Math.ceil((bytes - memory.buffer.byteLength) / PAGE));
    if (this.u8.buffer !== memory.buffer) {
      this.u8 = new Uint8Array(memory.buffer);
      this.u32 = new Uint32Array(memory.buffer);
    }
  }

  /**
   * Writes `n` rows (at most ROWS_AT_ONCE) by program `which`; `fill(rows)` puts them in `rows`
   * (each the program's column count of values, side by side). The bytes go to `out`, a view of
   * the kernel's memory valid until `out` returns. `first`: whether the first row is its list's
   * first.
   */
  write(which: number, n: number, first: boolean, fill: (rows: Uint32Array) => void, out: (bytes: Uint8Array) => void): void {
    if (n > ROWS_AT_ONCE) throw new RangeError(`at most ${ROWS_AT_ONCE} rows at once, not ${n}`);
    const p = this.programs[which]!;
    fill(this.u32.subarray(this.rowsAt >> 2, (this.rowsAt >> 2) + n * p.cols));
    let done = 0;
    while (done < n) {
      const rows = this.rowsAt + 4 * p.cols * done;
      done += this.wasm.rows(p.at, p.ops, rows, p.cols, n - done, this.pathTable, this.outAt, this.outCap, p.rowMax, first && done === 0 ? 1 : 0);
      out(this.u8.subarray(this.outAt, this.outAt + this.wasm.written.value));
    }
  }
}
