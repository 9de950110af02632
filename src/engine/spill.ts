/**
 * Shingle sets over the memory budget, written to a temporary file as they are made (and their
 * heads to a second one), so that verification reads them back instead of reading and
 * sketching their documents again: the heads first, many with one read, then each set still
 * needed with one read. The files live in a temporary folder that the pool removes when it
 * closes.
 */
import { closeSync, openSync, readSync, writeSync } from 'node:fs';
import { HEAD_CUT, lowerBound, type SetPlace, type SharedSets } from '../kernels/intersect.js';

/**
 * Where a spilled set is: its file, byte offset, and length in uint32 elements; `head`: how many
 * of its values (the first ones) are below HEAD_CUT, all that SharedSets.prescreen needs, which
 * are also at byte `headAt` of the heads file (headsFile(file): heads side by side, so that
 * many are read with one read).
 */
export interface SpillPlace {
  file: string;
  offset: number;
  length: number;
  head: number;
  headAt: number;
}

/** The file of the heads of the sets in `file`. */
export function headsFile(file: string): string {
  return `${file}.heads`;
}

/** Bytes gathered before they are written (one write for many sets, not one each). */
const STAGE_BYTES = 1 << 20;

/** Appends bytes to one file, a megabyte at a time. */
class Appender {
  private fd: number | undefined;
  /** Where the next bytes go (the file's end once what is staged is written). */
  private offset = 0;
  private readonly stage = Buffer.allocUnsafe(STAGE_BYTES);
  private staged = 0;
  private failed = false;

  constructor(private readonly file: string) {}

  /** Opens the file (false when it cannot be). */
  open(): boolean {
    if (this.failed) return false;
    try {
      this.fd ??= openSync(this.file, 'w', 0o600);
      return true;
    } catch {
      this.failed = true;
      return false;
    }
  }

  /** The offset the bytes will have once flushed (undefined when they cannot be written). */
  append(bytes: Uint8Array): number | undefined {
    if (this.staged + bytes.length > STAGE_BYTES) this.flush();
    if (bytes.length > STAGE_BYTES) {
      if (!this.put(bytes, this.offset)) return undefined;
    } else {
      this.stage.set(bytes, this.staged);
      this.staged += bytes.length;
    }
    const at = this.offset;
    this.offset += bytes.length;
    return at;
  }

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
 * Appends sets to one file, and their heads to its heads file (one writer per thread, so no two
 * threads share a file). Bytes are gathered and written a megabyte at a time: flush() before a
 * set's place is read back.
 */
export class SpillWriter {
  private readonly sets: Appender;
  private readonly heads: Appender;

  constructor(private readonly file: string) {
    this.sets = new Appender(file);
    this.heads = new Appender(headsFile(file));
  }

  /**
   * The place the set will have once flushed; undefined when the files cannot be written (the
   * set is then made again when needed; so is one whose flush fails: its place reads short).
   */
  write(set: Uint32Array): SpillPlace | undefined {
    if (!this.sets.open() || !this.heads.open()) return undefined;
    const head = lowerBound(set, 0, set.length, HEAD_CUT);
    const offset = this.sets.append(new Uint8Array(set.buffer, set.byteOffset, set.byteLength));
    const headAt = this.heads.append(new Uint8Array(set.buffer, set.byteOffset, head * 4));
    if (offset === undefined || headAt === undefined) return undefined;
    return { file: this.file, offset, length: set.length, head, headAt };
  }

  /** Writes what is staged. */
  flush(): void {
    this.sets.flush();
    this.heads.flush();
  }

  close(): void {
    this.sets.close();
    this.heads.close();
  }
}

/** Heads this close in their file are read with one read (the bytes between them too). */
const HEADS_GAP = 16 << 10;
/** The most bytes of heads read at once. */
const HEADS_READ = 4 << 20;

/**
 * Reads spilled sets (with `heads`, only their heads) back into the shared memory (allocated
 * there, within its limit): each one's place, or null when it cannot be (no room, or unreadable).
 * Heads are read by runs of heads near one another in their file, one read a run.
 */
export function readSpilledInto(places: readonly SpillPlace[], sets: SharedSets, reader: SpillReader, heads = false): (SetPlace | null)[] {
  if (!heads) {
    return places.map((place) => {
      const set = sets.alloc(place.length);
      return set && reader.read(place.file, place.offset, new Uint8Array(set.buffer, set.byteOffset, set.byteLength)) ? sets.placeOf(set)! : null;
    });
  }
  const out: (SetPlace | null)[] = new Array(places.length).fill(null);
  const order = places
    .map((_, i) => i)
    .sort((x, y) => {
      const [a, b] = [places[x]!, places[y]!];
      return a.file !== b.file ? (a.file < b.file ? -1 : 1) : a.headAt - b.headAt;
    });
  for (let i = 0; i < order.length; ) {
    const first = places[order[i]!]!;
    let end = first.headAt + 4 * first.head;
    let j = i + 1;
    for (; j < order.length; j++) {
      const p = places[order[j]!]!;
      if (p.file !== first.file || p.headAt - end > HEADS_GAP || p.headAt + 4 * p.head - first.headAt > HEADS_READ) break;
      end = Math.max(end, p.headAt + 4 * p.head);
    }
    const bytes = reader.range(headsFile(first.file), first.headAt, end - first.headAt);
    for (let k = i; k < j; k++) {
      const p = places[order[k]!]!;
      const set = sets.alloc(p.head);
      if (!set || !bytes) continue;
      new Uint8Array(set.buffer, set.byteOffset, set.byteLength).set(bytes.subarray(p.headAt - first.headAt, p.headAt - first.headAt + 4 * p.head));
      out[order[k]!] = sets.placeOf(set)!;
    }
    i = j;
  }
  return out;
}

/** Reads spilled sets back. */
export class SpillReader {
  private readonly fds = new Map<string, number>();
  private scratch = Buffer.allocUnsafe(0);

  /** Fills `into` from byte `offset` of the file; false when it cannot be read (or is short). */
  read(file: string, offset: number, into: Uint8Array): boolean {
    try {
      let fd = this.fds.get(file);
      if (fd === undefined) this.fds.set(file, (fd = openSync(file, 'r')));
      let done = 0;
      while (done < into.length) {
        const n = readSync(fd, into, done, into.length - done, offset + done);
        if (n === 0) return false;
        done += n;
      }
      return true;
    } catch {
      return false;
    }
  }

  /** `length` bytes from byte `offset` of the file (valid until the next call), or null. */
  range(file: string, offset: number, length: number): Buffer | null {
    if (this.scratch.length < length) this.scratch = Buffer.allocUnsafe(Math.max(length, 1 << 16));
    const bytes = this.scratch.subarray(0, length);
    return this.read(file, offset, bytes) ? bytes : null;
  }

  close(): void {
    for (const fd of this.fds.values()) closeSync(fd);
    this.fds.clear();
  }
}
