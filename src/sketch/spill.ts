/**
 * Shingle sets over the memory budget, written to a temporary file as they are made, so that
 * verification reads each back with one read instead of reading and sketching its document again.
 * The files live in a temporary folder that the pool removes when it closes.
 */
import { closeSync, openSync, readSync, writeSync } from 'node:fs';
import { HEAD_CUT, type SetPlace, type SharedSets } from '../match/intersect.js';
import type { LoadResult } from './load.js';

/**
 * Where a spilled set is: its file, byte offset, and length in uint32 elements; `head`: how many
 * of its values (the first ones) are below HEAD_CUT, all that SharedSets.prescreen needs.
 */
export interface SpillPlace {
  file: string;
  offset: number;
  length: number;
  head: number;
}

/** How many values of an ascending set are below HEAD_CUT. */
function headOf(set: Uint32Array): number {
  let lo = 0;
  let hi = set.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (set[mid]! < HEAD_CUT) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Bytes of sets gathered before they are written (one write for many sets, not one each). */
const STAGE_BYTES = 1 << 20;

/**
 * Appends sets to one file (one writer per thread, so no two threads share a file). Sets are
 * gathered and written a megabyte at a time: flush() before a set's place is read back.
 */
export class SpillWriter {
  private fd: number | undefined;
  /** Where the next set goes (the file's end once what is staged is written). */
  private offset = 0;
  private readonly stage = Buffer.allocUnsafe(STAGE_BYTES);
  private staged = 0;
  private failed = false;

  constructor(private readonly file: string) {}

  /**
   * The place the set will have once flushed; undefined when the file cannot be written (the
   * set is then made again when needed; so is one whose flush fails: its place reads short).
   */
  write(set: Uint32Array): SpillPlace | undefined {
    if (this.failed) return undefined;
    try {
      this.fd ??= openSync(this.file, 'w', 0o600);
    } catch {
      this.failed = true;
      return undefined;
    }
    const bytes = new Uint8Array(set.buffer, set.byteOffset, set.byteLength);
    if (this.staged + bytes.length > STAGE_BYTES) this.flush();
    if (bytes.length > STAGE_BYTES) {
      if (!this.put(bytes, this.offset)) return undefined;
    } else {
      this.stage.set(bytes, this.staged);
      this.staged += bytes.length;
    }
    const place = { file: this.file, offset: this.offset, length: set.length, head: headOf(set) };
    this.offset += bytes.length;
    return place;
  }

  /** Writes what is staged. */
  flush(): void {
    if (this.staged === 0) return;
    const n = this.staged;
    this.staged = 0;
    this.put(this.stage.subarray(0, n), this.offset - n);
  }

  private put(bytes: Uint8Array, at: number): boolean {
    if (this.failed || this.fd === undefined) return false;
    try {
      let done = 0;
      while (done < bytes.length) done += writeSync(this.fd, bytes, done, bytes.length - done, at + done);
      return true;
    } catch {
      this.failed = true; // e.g. a full disk: fall back to reading the documents again
      return false;
    }
  }

  close(): void {
    this.flush();
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

/**
 * A loaded set that is not in the shared memory (over its limit) is spilled: the result then
 * carries its place in the file instead of the set.
 */
export function spillIfOutside(r: LoadResult, writer: SpillWriter): LoadResult {
  if (r.status !== 'ok' || !r.set || r.set.buffer instanceof SharedArrayBuffer) return r;
  const spill = writer.write(r.set);
  r.set = null;
  if (spill) r.spill = spill;
  return r;
}

/**
 * Reads spilled sets (with `heads`, only their heads) back into the shared memory (allocated
 * there, within its limit): each one's place, or null when it cannot be (no room, or unreadable).
 */
export function readSpilledInto(places: readonly SpillPlace[], sets: SharedSets, reader: SpillReader, heads = false): (SetPlace | null)[] {
  return places.map((place) => {
    const set = sets.alloc(heads ? place.head : place.length);
    return set && reader.read(place, set) ? sets.placeOf(set)! : null;
  });
}

/** Reads spilled sets back. */
export class SpillReader {
  private readonly fds = new Map<string, number>();

  /** Fills `into` with the set's first into.length elements, from the file; false when it cannot be read. */
  read(place: SpillPlace, into: Uint32Array): boolean {
    try {
      let fd = this.fds.get(place.file);
      if (fd === undefined) this.fds.set(place.file, (fd = openSync(place.file, 'r')));
      const bytes = new Uint8Array(into.buffer, into.byteOffset, into.length * 4);
      let done = 0;
      while (done < bytes.length) {
        const n = readSync(fd, bytes, done, bytes.length - done, place.offset + done);
        if (n === 0) return false;
        done += n;
      }
      return true;
    } catch {
      return false;
    }
  }

  close(): void {
    for (const fd of this.fds.values()) closeSync(fd);
    this.fds.clear();
  }
}
