/**
 * The WebAssembly kernels' one loader (docs/kernels.md). Each kernel's module is compiled once
 * per thread, on first use, from the bytes scripts/build-wasm.mjs generated (`*-wasm.ts`); each
 * use gets a new instance of it (with its own memory, or the memory it is given to import).
 *
 * A kernel cannot run where WebAssembly is not available (node --jitless), where numbers are
 * not stored little-endian (the kernels read and write little-endian words that JavaScript
 * sees through typed arrays), or where V8 refuses its module (sketch and intersect need
 * WebAssembly SIMD, intersect threads too). Then a wrapper with a JavaScript stand-in (store,
 * json) uses it (tryLoadKernel gives null), and the others (sketch, intersect, candidates) stop
 * with a NearDupError that says why (loadKernel).
 */
import { NearDupError } from '../model/errors.js';
import { CANDIDATES_WASM } from './candidates-wasm.js';
import { INTERSECT_WASM } from './intersect-wasm.js';
import { JSON_WASM } from './json-wasm.js';
import { SKETCH_WASM } from './sketch-wasm.js';
import { STORE_WASM } from './store-wasm.js';

/** Whether this platform stores numbers little-endian. */
export const LITTLE_ENDIAN = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;

/** Each kernel's module (base64), what it is called in messages, and the WebAssembly features it needs beyond the first version's. */
const KERNELS = {
  sketch: { wasm: SKETCH_WASM, label: 'sketch', needs: ' with SIMD' },
  intersect: { wasm: INTERSECT_WASM, label: 'verification', needs: ' with SIMD and threads' },
  candidates: { wasm: CANDIDATES_WASM, label: 'candidate-pair', needs: '' },
  store: { wasm: STORE_WASM, label: 'index query', needs: '' },
  json: { wasm: JSON_WASM, label: 'JSON report', needs: '' },
} as const;

export type KernelName = keyof typeof KERNELS;

/** This thread's compiled modules, or why one cannot run here. */
const compiled = new Map<KernelName, WebAssembly.Module | Error>();

function compile(bytes: Uint8Array): WebAssembly.Module | Error {
  if (typeof WebAssembly === 'undefined') return new Error('WebAssembly is not available here (node --jitless?)');
  if (!LITTLE_ENDIAN) return new Error('this machine stores numbers big-endian');
  try {
    return new WebAssembly.Module(bytes);
  } catch (err) {
    return err instanceof Error ? err : new Error(String(err));
  }
}

function moduleOf(name: KernelName): WebAssembly.Module | Error {
  let module = compiled.get(name);
  if (module === undefined) compiled.set(name, (module = compile(Buffer.from(KERNELS[name].wasm, 'base64'))));
  return module;
}

/**
 * A new instance of kernel `name` (`imports`: what its module imports), or null where it
 * cannot run here: for the wrappers that have a JavaScript stand-in.
 */
export function tryLoadKernel<E>(name: KernelName, imports?: object): E | null {
  const module = moduleOf(name);
  return module instanceof Error ? null : (new WebAssembly.Instance(module, imports).exports as unknown as E);
}

/** A new instance of kernel `name`; a NearDupError where it cannot run here (for the wrappers that have no stand-in). */
export function loadKernel<E>(name: KernelName, imports?: object): E {
  const module = moduleOf(name);
  try {
    if (module instanceof Error) throw module;
    return new WebAssembly.Instance(module, imports).exports as unknown as E;
  } catch (err) {
    throw cannotStart(name, err);
  }
}

/** Throws loadKernel's error where kernel `name` cannot run here (before making what it would need). */
export function ensureKernel(name: KernelName): void {
  const module = moduleOf(name);
  if (module instanceof Error) throw cannotStart(name, module);
}

function cannotStart(name: KernelName, err: unknown): NearDupError {
  const { label, needs } = KERNELS[name];
  return new NearDupError('EINTERNAL', `cannot start the ${label} kernel (WebAssembly${needs} is needed): ${(err as Error).message}`);
}

/**
 * For tests and benchmarks: kernel `name`'s module, in this thread, from now on another build
 * of it (its bytes, or the module compiled from them), or none (null: as where it cannot run),
 * or its own again (undefined). Instances made before keep the module they have.
 */
export function replaceKernel(name: KernelName, module: Uint8Array | WebAssembly.Module | null | undefined): void {
  if (module === undefined) compiled.delete(name);
  else compiled.set(name, module === null ? new Error('no module (replaced)') : module instanceof Uint8Array ? compile(module) : module);
}
