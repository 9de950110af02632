/**
 * Runs work in worker threads (one per core by default) or in-process: loading documents
 * (loadDocument) and verifying candidate pairs (verifyPairs). Replies are handed back strictly
 * in submission order, whatever the thread count, so everything downstream (events, reports) is
 * deterministic.
 */

import { availableParallelism } from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { makeTempDir, removeTempDir } from '../corpus/temp.js';
import { type SetPlace, SharedSets } from '../kernels/intersect.js';
import { type LoadResult, type LoadTask, loadBatch, loadDocument, spillIfOutside } from './load.js';
import { SMALL_SCAN_BYTES, SMALL_SCAN_FILES, takePrestarted, WORKER_URL, workersAvailable } from './prestart.js';
import { Sketcher, type SketchSettings } from './sketch.js';
import { readSpilledInto, type SpillPlace, SpillReader, SpillWriter } from './spill.js';
import { type PrescreenTask, prescreenPairs, type ScreenTask, screenPairs, type Verified, type VerifyTask, verifyPairs } from './verify.js';
import type { WorkerData, WorkerRequest } from './worker.js';

/** Documents per load message: enough to amortise messaging, few enough to balance the load. */
const LOAD_BATCH = 24;
/** Requests queued at each worker, so it never waits for the main thread between two. */
const IN_FLIGHT = 2;
/**
 * Load batches queued at each worker: one more, as this thread loads a batch of its own between
 * messages (a batch with a large file keeps it from feeding the workers for longer).
 */
const LOAD_IN_FLIGHT = 3;

export function smallScan(files: number, bytes: number): boolean {
  return files < SMALL_SCAN_FILES && bytes < SMALL_SCAN_BYTES;
}

export function defaultThreads(): number {
  return Math.max(1, availableParallelism());
}

/** The threads to load these files with: those asked for (0: as many as cores), or one for a small batch (starting threads would cost more). */
export function threadsFor(requested: number, files: readonly { size: number }[]): number {
  if (requested) return requested;
  let bytes = 0;
  for (const f of files) bytes += f.size;
  return smallScan(files.length, bytes) ? 1 : defaultThreads();
}

export class WorkPool {
  private readonly workers: Worker[] = [];
  /** This thread's own sketcher: it does all the work alone (one thread), or takes its share. */
  private readonly here: Sketcher;
  private readonly hereSpill: SpillWriter;
  /** Where loading makes shingle sets (up to its limit) and verification reads them. */
  readonly sets: SharedSets;
  /** The temporary folder of the sets over the limit (see spill.ts). */
  private readonly spillDir: string;
  private readonly spillReader = new SpillReader();

  /**
   * `threads`: the threads that do the work, this one included (so threads - 1 workers: a worker
   * costs a V8 of its own, ~40 ms to start and its own optimising of the same code, while this
   * thread would wait). `setBytes`: the most the shared set memory may hold.
   */
  constructor(settings: SketchSettings, threads: number, setBytes: number) {
    this.sets = SharedSets.create(setBytes);
    this.spillDir = makeTempDir('sets');
    const sets = this.sets;
    this.here = new Sketcher(settings, (n) => sets.alloc(n) ?? new Uint32Array(n));
    this.hereSpill = new SpillWriter(path.join(this.spillDir, 'main.bin'));
    if (!workersAvailable()) return;
    for (let i = 0; i < threads - 1; i++) {
      const workerData: WorkerData = { settings, memory: this.sets.memory, spillFile: path.join(this.spillDir, `worker-${i}.bin`) };
      // one started ahead (prestart.ts) is told its data; the others get it as they start
      const ahead = i === 0 ? takePrestarted() : undefined;
      if (ahead) ahead.postMessage({ kind: 'init', data: workerData } satisfies WorkerRequest);
      this.workers.push(ahead ?? new Worker(WORKER_URL, { workerData }));
    }
  }

  /**
   * Spilled sets (with `heads`, only their heads: see SpillPlace), read back into the shared
   * memory by all the threads (in slices); each null when it cannot be (no room, or unreadable).
   */
  async readSpilled(places: readonly SpillPlace[], heads = false): Promise<(Uint32Array | null)[]> {
    const out: (Uint32Array | null)[] = [];
    const slice = Math.max(16, Math.ceil(places.length / (this.threads * 16)));
    const slices: SpillPlace[][] = [];
    for (let at = 0; at < places.length; at += slice) slices.push(places.slice(at, at + slice));
    await this.each(
      slices,
      (some) => ({ kind: 'reload', places: some, heads }),
      (req) => (req as Extract<WorkerRequest, { kind: 'reload' }>).places,
      (some) => readSpilledInto(some, this.sets, this.spillReader, heads),
      (got: (SetPlace | null)[]) => {
        for (const p of got) out.push(p ? this.sets.at(p) : null);
      },
    );
    return out;
  }

  get threads(): number {
    return this.workers.length + 1;
  }

  /** Loads every task; `onResult` is called once per task, in task order. */
  async load(tasks: readonly LoadTask[], onResult: (r: LoadResult) => void): Promise<void> {
    const loader = this.loader(onResult, true);
    for (const t of tasks) loader.push(t);
    await loader.end();
  }

  /**
   * Loads tasks as they are pushed (a walk still finding files), in batches over the threads;
   * `onResult` is called once per task, in push order. end() resolves when every result is in.
   * This thread takes its share only from end() on (until then it is busy pushing), unless
   * `now`.
   */
  loader(onResult: (r: LoadResult) => void, now = false): { push(task: LoadTask): void; end(): Promise<void> } {
    const sketcher = this.here;
    const spill = this.hereSpill;
    if (this.workers.length === 0) {
      // a set over the memory limit was made outside the shared memory: spilled
      return {
        push: (t) => onResult(spillIfOutside(loadDocument(t, sketcher), spill)),
        end: async () => spill.flush(),
      };
    }
    const stream = this.stream<LoadResult[]>(
      (results) => results.forEach(onResult),
      (req) => loadBatch((req as Extract<WorkerRequest, { kind: 'load' }>).tasks, sketcher, spill),
      LOAD_IN_FLIGHT,
    );
    if (now) stream.joinIn();
    let batch: LoadTask[] = [];
    return {
      push(t) {
        batch.push(t);
        if (batch.length === LOAD_BATCH) {
          stream.add({ kind: 'load', tasks: batch });
          batch = [];
        }
      },
      end() {
        if (batch.length) stream.add({ kind: 'load', tasks: batch });
        batch = [];
        stream.joinIn();
        return stream.end();
      },
    };
  }

  /**
   * Loads every task in the workers alone (this thread only when there are none), all of them
   * sent at once, so that they go on while this thread does other work; resolves with the
   * results in task order. Shingle sets come back in memory of their own, not the shared
   * memory (the pool's set memory is then not used: make it with no room).
   */
  loadAhead(tasks: readonly LoadTask[]): Promise<LoadResult[]> {
    const results: LoadResult[] = [];
    const apart = tasks.map((t) => ({ ...t, apart: true }));
    if (this.workers.length === 0) {
      for (const r of loadBatch(apart, this.here, this.hereSpill)) results.push(r);
      return Promise.resolve(results);
    }
    const stream = this.stream<LoadResult[]>(
      (batch) => results.push(...batch),
      () => {
        throw new Error('loadAhead runs in the workers only');
      },
      Infinity,
    );
    for (let at = 0; at < apart.length; at += LOAD_BATCH) stream.add({ kind: 'load', tasks: apart.slice(at, at + LOAD_BATCH) });
    return stream.end().then(() => results);
  }

  /** Screens every task (see screenPairs); `onResult` gets each one's count, in task order. */
  screen(tasks: readonly ScreenTask[], onResult: (kept: number) => void): Promise<void> {
    return this.pairTasks('screen', tasks, screenPairs, onResult);
  }

  /** Prescreens every task (see prescreenPairs); `onResult` gets each one's count, in task order. */
  prescreen(tasks: readonly PrescreenTask[], onResult: (kept: number) => void): Promise<void> {
    return this.pairTasks('prescreen', tasks, prescreenPairs, onResult);
  }

  /** Verifies every task; `onResult` gets each task's result, in task order. */
  verify(tasks: readonly VerifyTask[], onResult: (result: Verified) => void): Promise<void> {
    return this.pairTasks('verify', tasks, verifyPairs, onResult);
  }

  /** Runs the slices of pairs of one stage (`kind`, done by `run` in any thread) through each(). */
  private pairTasks<T, R>(
    kind: 'screen' | 'prescreen' | 'verify',
    tasks: readonly T[],
    run: (task: T, sets: SharedSets) => R,
    onResult: (result: R) => void,
  ): Promise<void> {
    return this.each(
      tasks,
      (task) => ({ kind, task }) as WorkerRequest,
      (req) => (req as Extract<WorkerRequest, { kind: typeof kind }>).task as T,
      (t) => run(t, this.sets),
      onResult,
    );
  }

  /**
   * Runs every task (`run`) in the threads, this one included; `onResult` gets each result, in
   * task order. `request` makes a task's message to a worker, `taskOf` reads it back.
   */
  private async each<T, R>(
    tasks: readonly T[],
    request: (task: T) => WorkerRequest,
    taskOf: (req: WorkerRequest) => T,
    run: (task: T) => R,
    onResult: (result: R) => void,
  ): Promise<void> {
    if (this.workers.length === 0) {
      for (const t of tasks) onResult(run(t));
      return;
    }
    const stream = this.stream<R>(onResult, (req) => run(taskOf(req)));
    stream.joinIn();
    for (const task of tasks) stream.add(request(task));
    await stream.end();
  }

  /**
   * Sends requests to the workers as they are added, IN_FLIGHT at a time each, and, once
   * joinIn() is called, runs them in this thread too (`runHere`), one at a time, between
   * messages; calls onReply in the order they were added. end() resolves when every reply is in
   * (or rejects with the first failure: a worker's error, or onReply's).
   */
  private stream<R>(
    onReply: (reply: R) => void,
    runHere: (request: WorkerRequest) => R,
    inFlight = IN_FLIGHT,
  ): { add(request: WorkerRequest): void; joinIn(): void; end(): Promise<void> } {
    const replies = new Map<number, R>();
    const unsent: WorkerRequest[] = [];
    let added = 0;
    let sent = 0;
    let nextOut = 0;
    let ended = false;
    let settled = false;
    let joined = false;
    let hereQueued = false;
    let resolve!: () => void;
    let reject!: (err: unknown) => void;
    const done = new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    // a failure before end() is reported by end()
    done.catch(() => {});
    // each worker answers its requests in the order it got them
    const queues = new Map<Worker, number[]>();
    const cleanup = () => {
      for (const w of this.workers) {
        w.off('error', fail);
        w.removeAllListeners('message');
      }
    };
    function fail(err: unknown) {
      if (settled) return;
      settled = true;
      cleanup();
      reject(err);
    }
    const finishIfDone = () => {
      if (!settled && ended && nextOut === added) {
        settled = true;
        cleanup();
        resolve();
      }
    };
    const deliver = (id: number, reply: R) => {
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
      finishIfDone();
    };
    const feed = (w: Worker) => {
      const queue = queues.get(w)!;
      while (!settled && queue.length < inFlight && sent < added) {
        const id = sent++;
        queue.push(id);
        w.postMessage(unsent.shift()!);
      }
    };
    // this thread's turn: one request, after the messages waiting (the workers' replies) are in
    const hereSoon = () => {
      if (hereQueued || !joined || settled || sent === added) return;
      hereQueued = true;
      setImmediate(() => {
        hereQueued = false;
        if (settled || sent === added) return;
        const id = sent++;
        let reply: R;
        try {
          reply = runHere(unsent.shift()!);
        } catch (err) {
          fail(err);
          return;
        }
        deliver(id, reply);
        hereSoon();
      });
    };
    for (const w of this.workers) {
      queues.set(w, []);
      w.on('error', fail);
      w.on('message', (reply: R) => {
        deliver(queues.get(w)!.shift()!, reply);
        feed(w);
        hereSoon();
      });
    }
    return {
      add: (request) => {
        if (settled) return;
        unsent.push(request);
        added++;
        for (const w of this.workers) feed(w);
        hereSoon();
      },
      joinIn: () => {
        joined = true;
        hereSoon();
      },
      end: () => {
        ended = true;
        finishIfDone();
        return done;
      },
    };
  }

  async close(): Promise<void> {
    await Promise.all(
      this.workers.map(async (w) => {
        // a stream left unfinished (its scan failed) stops here
        w.removeAllListeners('message');
        w.removeAllListeners('error');
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
    this.hereSpill.close();
    this.spillReader.close();
    removeTempDir(this.spillDir);
  }
}
