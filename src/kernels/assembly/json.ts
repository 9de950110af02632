// The JSON report's rows (group members and pairs) (AssemblyScript; built into
// src/kernels/json-wasm.ts by `npm run build:wasm`): rows of uint32 columns written out as
// UTF-8 from a program of templates, paths, scores and integers. src/kernels/json.ts lays out
// the memory; src/report/json.ts writes the same bytes in JavaScript (the reference).
//
// The caller lays out the memory:
// - a template: its length (uint32), then its bytes;
// - the paths: for document d, at paths + 8d, the offset and length of its path's bytes (the
//   path as JSON.stringify writes it, quotes included);
// - the program: ops of three uint32 each, [kind, x, y]:
//     0 separator: the template at x before the list's first row, the one at y before others
//     1 text: the template at x
//     2 path: the path of the document in column x
//     3 score: column x holds round(score * 10000), 0 to 10000, written as JavaScript writes
//       that number / 10000 (0, 1, 0.5, 0.0005, 0.6693)
//     4 integer: column x, an unsigned 32-bit integer in decimal
// - the rows: `cols` uint32 values each, side by side.

/** Bytes written by the last call of rows(). */
export let written: u32 = 0;

const SEPARATOR: u32 = 0;
const TEXT: u32 = 1;
const PATH: u32 = 2;
const SCORE: u32 = 3;

/** Writes v in decimal at `at`; returns the end. */
function writeInt(v: u32, at: usize): usize {
  let len: usize = 1;
  if (v >= 10) len = 2;
  if (v >= 100) len = 3;
  if (v >= 1000) len = 4;
  if (v >= 10000) len = 5;
  if (v >= 100000) len = 6;
  if (v >= 1000000) len = 7;
  if (v >= 10000000) len = 8;
  if (v >= 100000000) len = 9;
  if (v >= 1000000000) len = 10;
  let p = at + len;
  do {
    p--;
    store<u8>(p, 48 + (v % 10));
    v /= 10;
  } while (p > at);
  return at + len;
}

/** Writes the score k / 10000 (k from 0 to 10000) at `at`; returns the end. */
function writeScore(k: u32, at: usize): usize {
  if (k == 0) {
    store<u8>(at, 48);
    return at + 1;
  }
  if (k >= 10000) {
    store<u8>(at, 49);
    return at + 1;
  }
  // "0." and the four decimals without their trailing zeros
  store<u16>(at, 0x2e30);
  let digits = k;
  let n: usize = 4;
  while (digits % 10 == 0) {
    digits /= 10;
    n--;
  }
  const start = at + 2;
  let p = start + n;
  do {
    p--;
    store<u8>(p, 48 + (digits % 10));
    digits /= 10;
  } while (p > start);
  return start + n;
}

/** Copies the template at t (length, then bytes) to `at`; returns the end. */
function writeText(t: usize, at: usize): usize {
  const len = <usize>load<u32>(t);
  memory.copy(at, t + 4, len);
  return at + len;
}

/**
 * Writes rows from the first at `rowsAt` on, each by the program (`ops` ops at prog), at out,
 * while at least rowMax bytes of the cap are left (the most a row can take); returns how many
 * rows it wrote, and sets `written`. `first`: 1 when the first row here is the first of its list.
 */
export function rows(prog: usize, ops: u32, rowsAt: usize, cols: u32, n: u32, paths: usize, out: usize, cap: u32, rowMax: u32, first: u32): u32 {
  let done: u32 = 0;
  let at = out;
  const end = out + cap;
  const opEnd = prog + ops * 12;
  while (done < n && rowMax <= <u32>(end - at)) {
    const row = rowsAt + ((<usize>done * cols) << 2);
    for (let op = prog; op < opEnd; op += 12) {
      const kind = load<u32>(op);
      const x = load<u32>(op, 4);
      if (kind == SEPARATOR) {
        at = writeText(select<u32>(x, load<u32>(op, 8), (first & <u32>(done == 0)) != 0), at);
      } else if (kind == TEXT) {
        at = writeText(x, at);
      } else {
        const v = load<u32>(row + ((<usize>x) << 2));
        if (kind == PATH) {
          const place = paths + ((<usize>v) << 3);
          const len = <usize>load<u32>(place, 4);
          memory.copy(at, load<u32>(place), len);
          at += len;
        } else if (kind == SCORE) {
          at = writeScore(v, at);
        } else {
          at = writeInt(v, at);
        }
      }
    }
    done++;
  }
  written = <u32>(at - out);
  return done;
}
