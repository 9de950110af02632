/**
 * The actions of `neardup index add|remove|stats|verify`, and the engine and report of scans
 * that use an index (`index query`, `scan --db`), which otherwise run exactly as `scan` does.
 */

import type { findNearDuplicates } from '../../engine/scan.js';
import type { IndexOptionsInput } from '../../options/index-db.js';
import type { IndexFormat } from '../../report/index-results.js';
import { stderrEvents } from '../events.js';
import { EXIT } from '../exit.js';
import { repositoryRoot } from '../output.js';
import { ADD_SHARED, type Given, type IndexCommand, type ScanCommand } from '../program.js';
import { mergeSettings } from '../settings.js';

// Each action loads only the modules it runs (index stats, for one, not the scan engine): loading
// modules is much of a short command's time.

/** What runs a scan command: the plain scan, or one with an index (scan --db, index query). */
export function scanEngine(cmd: Pick<ScanCommand, 'db' | 'indexQuery'>): typeof findNearDuplicates {
  if (cmd.db === undefined && !cmd.indexQuery) return async (...args) => (await import('../../engine/scan.js')).findNearDuplicates(...args);
  return async (paths, input, hooks) => {
    const { queryIndex, scanWithIndex } = await import('../../index/search.js');
    return (cmd.indexQuery ? queryIndex : scanWithIndex)(paths.map(String), { ...input, db: cmd.db }, hooks);
  };
}

/** The command's options as the library takes them (names differ only for the walk's). */
export function indexInput(cmd: IndexCommand): IndexOptionsInput {
  const { action: _action, paths: _paths, format: _format, ignore, glob, maxFilesize, ...rest } = cmd;
  return { ...rest, respectIgnore: ignore, globs: glob, maxFileSize: maxFilesize };
}

/** Exit code of add and remove (2 when any input failed), stats (0) and verify (2 when damaged). */
export function indexExitCode(result: { errors?: readonly unknown[]; ok?: boolean }): number {
  return (result.errors?.length ?? 0) > 0 || result.ok === false ? EXIT.error : EXIT.clean;
}

/**
 * `index add` with the config file's settings under the flags: its similarity and walk keys,
 * the ones index query and scan --db read too, so that an index built in a project is one its
 * own queries accept. Report keys (format, output, ...) are scan's, and left out.
 */
export function withConfig(cmd: IndexCommand, given: Given, cwd = process.cwd()): IndexCommand {
  const merged = mergeSettings(cmd as unknown as ScanCommand, given, 'scan', cwd, repositoryRoot(cwd));
  const out: Record<string, unknown> = { ...cmd };
  for (const [key, source] of Object.entries(merged.sources)) {
    if (source === 'config' && ADD_SHARED.includes(key)) out[key] = (merged.cmd as unknown as Record<string, unknown>)[key];
  }
  return out as unknown as IndexCommand;
}

export async function runIndex(given: IndexCommand, flags: Given): Promise<void> {
  const cmd = given.action === 'add' ? withConfig(given, flags) : given;
  const format = cmd.format as IndexFormat;
  const input = indexInput(cmd);
  const events = stderrEvents();
  const { onEvent } = events;
  let report: string;
  let code: number;
  const reports = await import('../../report/index-results.js');
  if (cmd.action === 'add') {
    const { addToIndex } = await import('../../index/add.js');
    const r = await addToIndex(cmd.paths, input, { onEvent });
    [report, code] = [reports.renderAdd(r, format), indexExitCode(r)];
  } else if (cmd.action === 'remove') {
    const { removeFromIndex } = await import('../../index/admin.js');
    const r = await removeFromIndex(cmd.paths, input, { onEvent });
    [report, code] = [reports.renderRemove(r, format), indexExitCode(r)];
  } else if (cmd.action === 'stats') {
    const { indexStats } = await import('../../index/admin.js');
    const r = await indexStats(input);
    [report, code] = [reports.renderStats(r, format), EXIT.clean];
  } else {
    const { verifyIndex } = await import('../../index/admin.js');
    const r = await verifyIndex(input);
    [report, code] = [reports.renderVerify(r, format), indexExitCode(r)];
    if (!r.ok) process.stderr.write(`neardup: index ${r.db} failed verification: ${r.problems.length} problem(s)\n`);
  }
  events.finish();
  process.stdout.write(report);
  process.exitCode = code;
}
