/**
 * A worker thread started before the scan's own modules load: a worker takes 60 ms or more to
 * start (its own V8, Node's bootstrap, the modules of worker.ts), time in which this thread is
 * still importing. The pool takes it when it is made (WorkPool), and it is told its settings
 * then; one not taken is stopped (discardPrestarted). This module imports nothing of neardup's,
 * so that it is quick to load.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

export const WORKER_URL = new URL('./worker.js', import.meta.url);

/** Worker threads need the built JavaScript next to this module (not so under a TS test runner). */
export function workersAvailable(): boolean {
  return existsSync(fileURLToPath(WORKER_URL));
}

/**
 * Under these sizes (both), a scan with the thread count left to neardup runs in the calling
 * thread: starting a worker (~60 ms) costs more than it would save.
 */
export const SMALL_SCAN_FILES = 64;
export const SMALL_SCAN_BYTES = 2 << 20;

/**
 * Whether paths given to scan look like more than a small scan, at a glance (a folder's own
 * entries, not its tree): a folder with a folder in it or SMALL_SCAN_FILES entries, or a big
 * file. A wrong guess costs only time: a worker started for nothing, or one started later.
 */
export function looksLarge(paths: readonly string[]): boolean {
  let entries = 0;
  for (const p of paths.length ? paths : ['.']) {
    try {
      const st = statSync(p);
      if (st.isFile()) {
        if (st.size >= SMALL_SCAN_BYTES) return true;
        entries++;
        continue;
      }
      if (!st.isDirectory()) continue;
      for (const e of readdirSync(p, { withFileTypes: true })) {
        if (e.isDirectory() || ++entries >= SMALL_SCAN_FILES) return true;
      }
    } catch {
      // the scan reports it
    }
  }
  return entries >= SMALL_SCAN_FILES;
}

let waiting: Worker | undefined;

/** Whether a worker started by prestartWorker is waiting for a pool. */
export function prestarted(): boolean {
  return waiting !== undefined;
}

/** Starts one worker that waits for its settings (in a worker `init` message). */
export function prestartWorker(): void {
  if (waiting || !workersAvailable()) return;
  let w: Worker;
  try {
    w = new Worker(WORKER_URL, { workerData: null });
  } catch {
    // the pool starts its workers itself
    return;
  }
  waiting = w;
  // until taken, it neither keeps the process alive nor fails it; one that failed to start is
  // not handed out
  w.unref();
  const gone = () => {
    if (waiting === w) waiting = undefined;
  };
  w.on('error', gone);
  w.on('exit', gone);
}

/** The worker started by prestartWorker, for the pool to use (once), or undefined. */
export function takePrestarted(): Worker | undefined {
  const w = waiting;
  waiting = undefined;
  if (w) {
    w.removeAllListeners('error');
    w.removeAllListeners('exit');
    w.ref();
  }
  return w;
}

/** Stops the worker started by prestartWorker if no pool took it (without waiting for it). */
export function discardPrestarted(): void {
  const w = waiting;
  waiting = undefined;
  void w?.terminate();
}
