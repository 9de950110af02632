#!/usr/bin/env node
// Compiles each WebAssembly text source into a TypeScript module holding its bytes (base64):
// src/kernels/intersect.wat -> src/kernels/intersect-wasm.ts, and so on for each entry of MODULES.
//   npm run build:wasm            writes the files
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import wabtInit from 'wabt';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
export const MODULES = [
  { source: 'src/kernels/intersect.wat', target: 'src/kernels/intersect-wasm.ts', name: 'INTERSECT_WASM' },
  { source: 'src/kernels/candidates.wat', target: 'src/kernels/candidates-wasm.ts', name: 'CANDIDATES_WASM' },
  { source: 'src/kernels/sketch.wat', target: 'src/kernels/sketch-wasm.ts', name: 'SKETCH_WASM' },
  { source: 'src/kernels/store.wat', target: 'src/kernels/store-wasm.ts', name: 'KERNEL_WASM' },
  { source: 'src/kernels/json.wat', target: 'src/kernels/json-wasm.ts', name: 'JSON_WASM' },
];

/** The TypeScript text generated from one module's source. */
export async function generate({ source, name }) {
  const wabt = await wabtInit();
  const module = wabt.parseWat(path.basename(source), readFileSync(path.join(root, source), 'utf8'), { simd: true, threads: true });
  // (wabt's validate() ignores the feature flags and refuses shared memory; V8 validates the
  // module when neardup compiles it, which every test run does)
  const { buffer } = module.toBinary({});
  module.destroy();
  const b64 = Buffer.from(buffer).toString('base64');
  const lines = b64
    .match(/.{1,96}/g)
    .map((l) => `  '${l}'`)
    .join(' +\n');
  return `// Generated from ${path.basename(source)} by scripts/build-wasm.mjs (npm run build:wasm). Do not edit.\nexport const ${name} =\n${lines};\n`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const m of MODULES) writeFileSync(path.join(root, m.target), await generate(m));
}
