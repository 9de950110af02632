#!/usr/bin/env node
// Builds each WebAssembly kernel from its source into a TypeScript module holding its bytes
// (base64), with the functions' names in the binary (a "name" custom section, which profiles
// and stack traces show; the code is the same as without it):
//   src/kernels/assembly/sketch.ts -> src/kernels/sketch-wasm.ts, and so on for each of KERNELS.
// AssemblyScript sources (*.ts) are compiled by asc (the assemblyscript package), WebAssembly
// text (*.wat) by wabt. The generated modules are committed: installing neardup runs neither.
//   npm run build:wasm            writes the files
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');

/** asc's settings for every kernel: optimised for speed, no runtime, no assertions, names kept. */
const ASC = ['-O3', '--noAssert', '--runtime', 'stub', '--debug'];

/**
 * Each kernel: its source, the generated module and the constant it exports, and what it is
 * built with beyond ASC. Each has its own memory (exported as "memory", 1 page to start, grown
 * by its wrapper) except intersect, which imports the memory every thread shares.
 */
export const KERNELS = [
  { name: 'sketch', source: 'src/kernels/assembly/sketch.ts', flags: ['--enable', 'simd', '--initialMemory', '1'] },
  {
    name: 'intersect',
    source: 'src/kernels/assembly/intersect.ts',
    flags: [
      ['--enable', 'simd,threads'],
      // the plain (trapping) float-to-integer conversion: sharedNeeded's values always fit
      ['--disable', 'nontrapping-f2i'],
      ['--importMemory', '--sharedMemory', '--noExportMemory', '--initialMemory', '1', '--maximumMemory', '65536'],
    ].flat(),
  },
  { name: 'candidates', source: 'src/kernels/assembly/candidates.ts', flags: ['--initialMemory', '1'] },
  { name: 'store', source: 'src/kernels/assembly/store.ts', flags: ['--initialMemory', '1'] },
  { name: 'json', source: 'src/kernels/assembly/json.ts', flags: ['--initialMemory', '1'] },
].map((k) => ({ ...k, target: `src/kernels/${k.name}-wasm.ts`, constant: `${k.name.toUpperCase()}_WASM` }));

/** The binary of a kernel's source (a path from the repository's root). */
export async function compile({ source, flags = [] }) {
  return source.endsWith('.wat') ? compileWat(readFileSync(path.join(root, source), 'utf8'), path.basename(source)) : compileAssemblyScript(source, flags);
}

/** asc's binary of an AssemblyScript source; function names are the file's name and the function's (sketch/shingle). */
async function compileAssemblyScript(source, flags) {
  const { default: asc } = await import('assemblyscript/asc');
  const files = new Map();
  const output = [];
  const stream = { write: (s) => output.push(String(s)) };
  const { error } = await asc.main(
    [path.basename(source), '--baseDir', path.join(root, path.dirname(source)), '--outFile', 'out.wasm', '--noColors', ...ASC, ...flags],
    { stdout: stream, stderr: stream, writeFile: (name, contents) => files.set(name, contents) },
  );
  if (error) throw new Error(`asc ${source}: ${error.message}\n${output.join('')}`);
  return Buffer.from(files.get('out.wasm'));
}

/** wabt's binary of WebAssembly text, each function named (by its export when it has no $name). */
export async function compileWat(text, name = 'kernel.wat') {
  const { default: wabtInit } = await import('wabt');
  const wabt = await wabtInit();
  const module = wabt.parseWat(name, text, { simd: true, threads: true });
  // (wabt's validate() ignores the feature flags and refuses shared memory; V8 validates the
  // module when neardup compiles it, which every test run does)
  module.generateNames();
  const { buffer } = module.toBinary({ write_debug_names: true });
  module.destroy();
  return Buffer.from(buffer);
}

/** The TypeScript text generated from one kernel's source. */
export async function generate(kernel) {
  const b64 = (await compile(kernel)).toString('base64');
  const lines = b64
    .match(/.{1,96}/g)
    .map((l) => `  '${l}'`)
    .join(' +\n');
  return `// Generated from ${kernel.source.replace('src/kernels/', '')} by scripts/build-wasm.mjs (npm run build:wasm). Do not edit.\nexport const ${kernel.constant} =\n${lines};\n`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const k of KERNELS) writeFileSync(path.join(root, k.target), await generate(k));
}
