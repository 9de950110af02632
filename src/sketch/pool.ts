/**
 * Runs work in worker threads (one per core by default) or in-process: loading documents
 * (loadDocument) and verifying candidate pairs (verifyPairs). Replies are handed back strictly
 * in submission order, whatever the thread count, so everything downstream (events, reports) is
 * deterministic.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { SharedSets } from '../match/intersect.js';
import { verifyPairs, type Verified, type VerifyTask } from '../match/verify.js';
import { loadDocument, type LoadResult, type LoadTask } from './load.js';
import { Sketcher, type SketchSettings } from './sketch.js';
import { SpillReader, SpillWriter, spillIfOutside, type SpillPlace } from './spill.js';
import type { WorkerData, WorkerRequest } from './worker.js';

/** Documents per load message: enough to amortise messaging, few enough to balance the load. */
const LOAD_BATCH = 24;
/** Requests queued at each worker, so it never waits for the main thread between two. */
const IN_FLIGHT = 2;

/**
 * Under these sizes (both), a scan with the thread count left to neardup runs in the calling
 * thread: starting a worker (~60 ms) costs more than it would save.
 */
const SMALL_SCAN_FILES = 64;
const SMALL_SCAN_BYTES = 2 << 20;

export function smallScan(files: number, bytes: number): boolean {
  return files < SMALL_SCAN_FILES && bytes < SMALL_SCAN_BYTES;
}

export function defaultThreads(): number {
  return Math.max(1, availableParallelism());
}

const WORKER_URL = new URL('./worker.js', import.meta.url);

/** Worker threads need the built JavaScript next to this module (not so under a TS test runner). */
function workersAvailable(): boolean {
  return existsSync(fileURLToPath(WORKER_URL));
}

export class WorkPool {
  private readonly workers: Worker[] = [];
  private readonly inline: Sketcher | undefined;
  private readonly inlineSpill: SpillWriter | undefined;
  /** Where loading makes shingle sets (up to its limit) and verification reads them. */
  readonly sets: SharedSets;
  /** The temporary folder of the sets over the limit (see spill.ts). */
  private readonly spillDir: string;
  private readonly spillReader = new SpillReader();

  /** `setBytes`: the most the shared set memory may hold. */
  constructor(settings: SketchSettings, threads: number, setBytes: number) {
    this.sets = SharedSets.create(setBytes);
    this.spillDir = mkdtempSync(path.join(tmpdir(), 'neardup-sets-'));
    if (threads <= 1 || !workersAvailable()) {
      const sets = this.sets;
      this.inline = new Sketcher(settings, (n) => sets.alloc(n) ?? new Uint32Array(n));
      this.inlineSpill = new SpillWriter(path.join(this.spillDir, 'main.bin'));
      return;
    }
    for (let i = 0; i < threads; i++) {
      const workerData: WorkerData = { settings, memory: this.sets.memory, spillFile: path.join(this.spillDir, `worker-${i}.bin`) };
      this.workers.push(new Worker(WORKER_URL, { workerData }));
    }
  }

  /** A spilled set, read back into the shared memory; null when it cannot be (no room, or unreadable). */
  readSpilled(place: SpillPlace): Uint32Array | null {
    const set = this.sets.alloc(place.length);
    return set && this.spillReader.read(place, set) ? set : null;
  }

  get threads(): number {
    return Math.max(1, this.workers.length);
  }

  /** Loads every task; `onResult` is called once per task, in task order. */
  async load(tasks: readonly LoadTask[], onResult: (r: LoadResult) => void): Promise<void> {
    if (this.inline) {
      // a set over the memory limit was made outside the shared memory: spilled
      for (const t of tasks) onResult(spillIfOutside(loadDocument(t, this.inline), this.inlineSpill!));
      return;
    }
    const batches = Math.ceil(tasks.length / LOAD_BATCH);
    await this.dispatch<LoadResult[]>(
      batches,
      (b) => ({ kind: 'load', tasks: tasks.slice(b * LOAD_BATCH, (b + 1) * LOAD_BATCH) }),
      (results) => results.forEach(onResult),
    );
  }

  /** Verifies every task; `onResult` gets each task's result, in task order. */
  async verify(tasks: readonly VerifyTask[], onResult: (result: Verified) => void): Promise<void> {
    if (this.inline) {
      for (const t of tasks) onResult(verifyPairs(t, this.sets));
      return;
    }
    await this.dispatch<Verified>(tasks.length, (i) => ({ kind: 'verify', task: tasks[i]! }), onResult);
  }

  /**
   * Sends requests 0..count-1 (built when sent) to the workers, IN_FLIGHT at a time each, and
   * calls onReply in request order.
   */
  private dispatch<R>(count: number, request: (i: number) => WorkerRequest, onReply: (reply: R) => void): Promise<void> {
    const replies = new Map<number, R>();
    let nextOut = 0;
    let nextIn = 0;
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      const fail = (err: unknown) => {
        if (!settled) {
          settled = true;
          cleanup();
          reject(err);
        }
      };
      // each worker answers its requests in the order it got them
      const queues = new Map<Worker, number[]>();
      const send = (w: Worker) => {
        if (nextIn >= count) return;
        const id = nextIn++;
        queues.get(w)!.push(id);
        w.postMessage(request(id));
      };
      const onMessage = (w: Worker) => (reply: R) => {
        {
          const id = queues.get(w)!.shift()!;
          replies.set(id, reply);
          try {
            while (replies.has(nextOut)) {
              const r = replies.get(nextOut)!;
              replies.delete(nextOut++);
              onReply(r);
            }
          } catch (err) {
            fail(err);
            return;
          }
          if (nextOut === count) {
            settled = true;
            cleanup();
            resolve();
          } else send(w);
        }
      };
      const cleanup = () => {
        for (const w of this.workers) {
          w.off('error', fail);
          w.removeAllListeners('message');
        }
      };
      if (count === 0) return resolve();
      for (const w of this.workers) {
        queues.set(w, []);
        w.on('error', fail);
        w.on('message', onMessage(w));
        for (let k = 0; k < IN_FLIGHT; k++) send(w);
      }
    });
  }

  async close(): Promise<void> {
    await Promise.all(
      this.workers.map(async (w) => {
        const closed = new Promise<void>((resolve) => {
          w.once('message', () => resolve());
          w.once('error', () => resolve());
          w.once('exit', () => resolve());
        });
        w.postMessage({ kind: 'close' } satisfies WorkerRequest);
        await closed;
        await w.terminate();
      }),
    );
    this.inlineSpill?.close();
    this.spillReader.close();
    rmSync(this.spillDir, { recursive: true, force: true });
  }
}
