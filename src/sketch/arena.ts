/**
 * A bump allocator for Uint32Arrays: views carved out of large chunks instead of one allocation
 * per document (measured: ~30 µs per 10 KB typed-array allocation, dominated by allocation, not
 * size). Chunks are SharedArrayBuffers, so views can be posted between threads without copying.
 * A chunk is freed when no view into it is left.
 */
const CHUNK_WORDS = 1 << 20; // 4 MiB

export class U32Arena {
  private chunk: Uint32Array = new Uint32Array(0);
  private used = 0;

  /** A copy of `src` in arena memory. */
  copy(src: Uint32Array): Uint32Array {
    const n = src.length;
    if (n > CHUNK_WORDS / 4) {
      const own = new Uint32Array(new SharedArrayBuffer(n * 4));
      own.set(src);
      return own;
    }
    if (this.used + n > this.chunk.length) {
      this.chunk = new Uint32Array(new SharedArrayBuffer(CHUNK_WORDS * 4));
      this.used = 0;
    }
    const view = this.chunk.subarray(this.used, this.used + n);
    view.set(src);
    this.used += n;
    return view;
  }
}
