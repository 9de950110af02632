/**
 * The WebAssembly kernels as built: the committed modules are what scripts/build-wasm.mjs builds
 * from their sources, with their functions' names.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { KernelName } from '../src/kernels/loader.js';

interface Kernel {
  name: KernelName;
  source: string;
  target: string;
  constant: string;
}
// @ts-expect-error a script without types
const build = (await import('../scripts/build-wasm.mjs')) as { KERNELS: Kernel[]; generate: (k: Kernel) => Promise<string> };

/** The bytes of a generated module (`*-wasm.ts`). */
async function committedBytes(k: Kernel): Promise<Uint8Array> {
  const module = (await import(`../${k.target.replace(/\.ts$/, '.js')}`)) as Record<string, string>;
  return Buffer.from(module[k.constant]!, 'base64');
}

/** The function names in a module's "name" custom section (function index -> name). */
function functionNames(bytes: Uint8Array): Map<number, string> {
  let p = 8;
  const leb = () => {
    let v = 0;
    let shift = 0;
    let b: number;
    do {
      b = bytes[p++]!;
      v += (b & 0x7f) * 2 ** shift;
      shift += 7;
    } while (b & 0x80);
    return v;
  };
  const text = (n: number) => Buffer.from(bytes.subarray(p, (p += n))).toString('utf8');
  const names = new Map<number, string>();
  while (p < bytes.length) {
    const id = bytes[p++]!;
    const end = leb() + p;
    if (id === 0 && text(leb()) === 'name') {
      while (p < end) {
        const sub = bytes[p++]!;
        const subEnd = leb() + p;
        if (sub === 1) for (let count = leb(); count > 0; count--) names.set(leb(), text(leb()));
        p = subEnd;
      }
    }
    p = end;
  }
  return names;
}

describe('the kernels as built', () => {
  it('are the five, each built from its AssemblyScript source', () => {
    expect(build.KERNELS.map((k) => [k.name, k.source])).toEqual([
      ['sketch', 'src/kernels/assembly/sketch.ts'],
      ['intersect', 'src/kernels/assembly/intersect.ts'],
      ['candidates', 'src/kernels/assembly/candidates.ts'],
      ['store', 'src/kernels/assembly/store.ts'],
      ['json', 'src/kernels/assembly/json.ts'],
    ]);
  });

  for (const k of build.KERNELS) {
    it(`the committed ${k.target} is what its source builds to (run npm run build:wasm after editing ${k.source})`, async () => {
      const committed = readFileSync(new URL(`../${k.target}`, import.meta.url), 'utf8');
      expect(await build.generate(k)).toBe(committed);
    });
  }

  it('each binary names its functions (profiles and stack traces show the names)', async () => {
    const exported: Record<KernelName, string[]> = {
      sketch: ['mixBytes', 'mixWide', 'mixUnits', 'shingle', 'sortUnique', 'bins'],
      intersect: ['count', 'agree', 'verify', 'screen', 'prescreen'],
      candidates: ['band', 'emit', 'dedupe', 'keys'],
      store: ['agreements', 'shared', 'shared_many', 'encode'],
      json: ['rows'],
    };
    for (const k of build.KERNELS) {
      const names = [...functionNames(await committedBytes(k)).values()];
      for (const f of exported[k.name]) expect(names).toContain(`${k.name}/${f}`);
    }
  });
});
