#!/usr/bin/env node
// Compiles src/match/intersect.wat into src/match/intersect-wasm.ts (the module's bytes, base64).
//   npm run build:wasm            writes the file
//   node scripts/build-wasm.mjs --print   prints what it would write (the test compares)
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import wabtInit from 'wabt';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const source = path.join(root, 'src', 'match', 'intersect.wat');
const target = path.join(root, 'src', 'match', 'intersect-wasm.ts');

export async function generate() {
  const wabt = await wabtInit();
  const module = wabt.parseWat('intersect.wat', readFileSync(source, 'utf8'), { simd: true, threads: true });
  // (wabt's validate() ignores the feature flags and refuses shared memory; V8 validates the
  // module when neardup compiles it, which every test run does)
  const { buffer } = module.toBinary({});
  module.destroy();
  const b64 = Buffer.from(buffer).toString('base64');
  const lines = b64.match(/.{1,96}/g).map((l) => `  '${l}'`).join(' +\n');
  return `// Generated from intersect.wat by scripts/build-wasm.mjs (npm run build:wasm). Do not edit.\nexport const INTERSECT_WASM =\n${lines};\n`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const text = await generate();
  if (process.argv.includes('--print')) process.stdout.write(text);
  else writeFileSync(target, text);
}
