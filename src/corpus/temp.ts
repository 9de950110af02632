/**
 * The temporary folders a run makes (standard input's copy, the spilled shingle sets): each is
 * made here and recorded until it is removed, so that whatever ends the process can remove what
 * is left (the CLI calls removeTempDirs on exit and on SIGINT/SIGTERM).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const live = new Set<string>();

/** A new folder in the system's temporary folder, named `neardup-<what>-XXXXXX`, readable by this user only. */
export function makeTempDir(what: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), `neardup-${what}-`));
  live.add(dir);
  return dir;
}

/** Removes a folder made by makeTempDir, with everything in it. */
export function removeTempDir(dir: string): void {
  live.delete(dir);
  rmSync(dir, { recursive: true, force: true });
}

/** Removes every folder made by makeTempDir that is still there (never throws). */
export function removeTempDirs(): void {
  for (const dir of [...live]) {
    try {
      removeTempDir(dir);
    } catch {
      // nothing more can be done as the process ends
    }
  }
}

/**
 * Two turns of the event loop, so that a signal that came during synchronous work (writing an
 * output) is handled before what follows: called before an output is put under its name, and
 * before the process ends, so that Ctrl-C is never lost at the end of a run.
 */
export async function letSignalsIn(): Promise<void> {
  await new Promise<void>((resolve) => setImmediate(resolve));
  await new Promise<void>((resolve) => setImmediate(resolve));
}
