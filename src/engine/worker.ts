/**
 * Worker-thread entry. Two kinds of work:
 * - load: read, extract and sketch documents; shingle sets are made in the shared set memory so
 *   that later verification work can be handed to any worker without copying them;
 * - verify: exact scores for a slice of candidate pairs.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { SharedSets } from '../kernels/intersect.js';
import { sketchKernel } from '../kernels/sketch.js';
import { type LoadTask, loadBatch } from './load.js';
import { Sketcher, type SketchSettings } from './sketch.js';
import { readSpilledInto, type SpillPlace, SpillReader, SpillWriter } from './spill.js';
import { type PrescreenTask, prescreenPairs, type ScreenTask, screenPairs, type VerifyTask, verifyPairs } from './verify.js';

export type WorkerRequest =
  | { kind: 'init'; data: WorkerData }
  | { kind: 'load'; tasks: LoadTask[] }
  | { kind: 'verify'; task: VerifyTask }
  | { kind: 'reload'; places: SpillPlace[]; heads: boolean }
  | { kind: 'screen'; task: ScreenTask }
  | { kind: 'prescreen'; task: PrescreenTask }
  | { kind: 'close' };

export interface WorkerData {
  settings: SketchSettings;
  /** The shared memory that shingle sets are made in (see SharedSets). */
  memory: WebAssembly.Memory;
  /** This worker's file for the sets over the memory limit (see spill.ts). */
  spillFile: string;
}

interface State {
  sets: SharedSets;
  sketcher: Sketcher;
  spill: SpillWriter;
  reader: SpillReader;
}

// shingle sets are made in shared memory, so that verification work can go to any worker; a
// set over the memory limit is made in this thread's memory and spilled to a file
function start({ settings, memory, spillFile }: WorkerData): State {
  const sets = SharedSets.attach(memory);
  return { sets, sketcher: new Sketcher(settings, (n) => sets.alloc(n) ?? new Uint32Array(n)), spill: new SpillWriter(spillFile), reader: new SpillReader() };
}

// a worker started ahead of its pool (see prestart.ts) gets its data in an `init` message, and
// meanwhile compiles the sketch kernel
let state: State | undefined = workerData ? start(workerData as WorkerData) : undefined;
if (!state) sketchKernel();

parentPort!.on('message', (req: WorkerRequest) => {
  if (req.kind === 'init') {
    state = start(req.data);
    return;
  }
  const { sets, sketcher, spill, reader } = state!;
  if (req.kind === 'close') {
    // file descriptors belong to the process: close this thread's before it is terminated
    spill.close();
    reader.close();
    parentPort!.postMessage('closed');
    return;
  }
  if (req.kind === 'verify') {
    parentPort!.postMessage(verifyPairs(req.task, sets));
    return;
  }
  if (req.kind === 'screen') {
    parentPort!.postMessage(screenPairs(req.task, sets));
    return;
  }
  if (req.kind === 'prescreen') {
    parentPort!.postMessage(prescreenPairs(req.task, sets));
    return;
  }
  if (req.kind === 'reload') {
    parentPort!.postMessage(readSpilledInto(req.places, sets, reader, req.heads));
    return;
  }
  const results = loadBatch(req.tasks, sketcher, spill);
  const transfer: ArrayBuffer[] = [];
  for (const r of results) {
    if (r.status !== 'ok') continue;
    transfer.push(r.signature.buffer as ArrayBuffer);
    // a set of its own (not in the shared memory) goes with it
    if (r.set && !(r.set.buffer instanceof SharedArrayBuffer)) transfer.push(r.set.buffer as ArrayBuffer);
  }
  parentPort!.postMessage(results, transfer);
});
