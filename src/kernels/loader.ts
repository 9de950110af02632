/**
 * WebAssembly kernels that have a JavaScript stand-in (the index's query kernel, the JSON
 * report's rows): each module compiled once, on first use, and none where WebAssembly is not
 * available (node --jitless) or numbers are not stored little-endian (the kernels read and write
 * little-endian words that JavaScript sees through typed arrays).
 */

/** Whether this platform stores numbers little-endian. */
export const LITTLE_ENDIAN = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;

/**
 * A maker of instances of the module in `base64`: each call a new instance (with its own
 * memory), or null when the module cannot run here.
 */
export function optionalKernel<E>(base64: string): () => E | null {
  let compiled: WebAssembly.Module | null | undefined;
  return () => {
    if (compiled === undefined) {
      try {
        compiled = LITTLE_ENDIAN ? new WebAssembly.Module(Buffer.from(base64, 'base64')) : null;
      } catch {
        compiled = null;
      }
    }
    return compiled && (new WebAssembly.Instance(compiled).exports as unknown as E);
  };
}
