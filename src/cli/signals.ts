/**
 * How the process ends early: the one place that handles SIGINT and SIGTERM. Whatever a run was
 * writing under temporary names (a report, dedup's output) is removed by the cleanups it
 * registered, and the run's temporary folders (standard input's copy, spilled shingle sets) are
 * removed on every exit the process can catch: normal end, error, a signal, a closed pipe.
 */
import { removeTempDirs } from '../corpus/temp.js';

/** What a signal must undo: output being written under temporary names. */
const cleanups = new Set<() => void>();

function onSignal(signal: NodeJS.Signals): void {
  const writing = cleanups.size > 0;
  for (const cleanup of [...cleanups]) {
    try {
      cleanup();
    } catch {
      // the others still run
    }
  }
  removeTempDirs();
  if (writing) process.stderr.write(`neardup: interrupted (${signal}): the output was not completed; temporary files removed\n`);
  process.exit(signal === 'SIGINT' ? 130 : 143);
}

/** Installed once, first thing: SIGINT and SIGTERM end the run cleanly (exit 130 and 143), and every exit removes the temporary folders. */
export function handleSignals(): void {
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('exit', removeTempDirs);
}

/** Registers what a signal must undo while some output is being written; returns its removal. */
export function onInterrupt(cleanup: () => void): () => void {
  cleanups.add(cleanup);
  return () => {
    cleanups.delete(cleanup);
  };
}
