/**
 * `neardup dedup`: scan, keep one document per group, write the rest of the corpus (or report
 * what would be written, with --dry-run). The report goes to stdout (text, or --format json);
 * the summary, progress, warnings and errors to stderr.
 */
import path from 'node:path';
import { type DedupInput, type DedupResult, deduplicate } from '../../dedup/dedup.js';
import { bytesOf } from '../../dedup/paths.js';
import { removeTemps } from '../../dedup/write.js';
import type { ColorMode } from '../../model/settings.js';
import type { ScanEvent } from '../../model/types.js';
import { DEDUP_DEFAULTS, resolveDedupOptions } from '../../options/dedup.js';
import { recordedSettings, resolveOptions } from '../../options/scan.js';
import { renderDedupJson, renderDedupSummary, renderDedupText } from '../../report/dedup.js';
import { colorLevel } from '../../report/style.js';
import { stderrEvents } from '../events.js';
import { EXIT } from '../exit.js';
import { scanInput } from '../inputs.js';
import { repositoryRoot, warn } from '../output.js';
import type { DedupCommand, Given } from '../program.js';
import { ProgressBar, showProgress } from '../progress.js';
import { type Merged, mergeSettings } from '../settings.js';
import { onInterrupt } from '../signals.js';

/** Config file keys about scan's report and gating: they do not apply to dedup. */
const SCAN_REPORT_KEYS = ['format', 'output', 'exitZero', 'baseline', 'updateBaseline', 'maxGroups', 'explain', 'passages', 'context'];

export function dedupInput(cmd: DedupCommand): DedupInput {
  return {
    ...scanInput(cmd),
    out: cmd.out,
    keep: cmd.keep,
    manifest: cmd.manifest,
    link: cmd.link,
    force: cmd.force,
    dryRun: cmd.dryRun,
    skipErrors: cmd.skipErrors,
    stdin: process.stdin,
  };
}

/** --print-config for dedup: the settings in force and where they came from. */
function printedConfig(merged: Merged<DedupCommand>, input: DedupInput): string {
  const cmd = merged.cmd;
  const s = input.out === undefined ? resolveOptions(input) : resolveDedupOptions(input);
  const out = {
    command: 'dedup',
    configFile: merged.config?.file ?? null,
    paths: cmd.paths.length ? cmd.paths : ['.'],
    settings: {
      ...recordedSettings(s),
      hidden: s.hidden,
      ignore: s.respectIgnore,
      glob: s.globs,
      follow: cmd.follow ?? false,
      maxFilesize: s.maxFileSize,
    },
    dedup: {
      out: cmd.out ?? null,
      keep: cmd.keep ?? DEDUP_DEFAULTS.keep,
      manifest: cmd.manifest ?? null,
      link: cmd.link ?? DEDUP_DEFAULTS.link,
      force: cmd.force ?? DEDUP_DEFAULTS.force,
      dryRun: cmd.dryRun ?? DEDUP_DEFAULTS.dryRun,
      format: cmd.format ?? DEDUP_DEFAULTS.format,
      color: cmd.color ?? 'auto',
    },
    sources: Object.fromEntries(Object.entries(merged.sources).sort(([a], [b]) => (a < b ? -1 : 1))),
  };
  return `${JSON.stringify(out, null, 2)}\n`;
}

/** A signal stops the run: what was written under temporary names is removed (see signals.ts). */
function onSignals(targets: readonly string[]): () => void {
  return onInterrupt(() => {
    for (const t of targets) removeTemps(path.resolve(bytesOf(process.cwd()), bytesOf(t)));
  });
}

export async function runDedup(given: DedupCommand, flags: Given): Promise<number> {
  const cwd = process.cwd();
  const merged = mergeSettings(given, flags, 'scan', cwd, repositoryRoot(cwd));
  for (const key of SCAN_REPORT_KEYS) {
    if (merged.sources[key] === 'config') {
      delete (merged.cmd as unknown as Record<string, unknown>)[key];
      delete merged.sources[key];
    }
  }
  const cmd = merged.cmd;
  const input = dedupInput(cmd);
  if (cmd.printConfig) {
    process.stdout.write(printedConfig(merged, input));
    return EXIT.clean;
  }
  const settings = resolveDedupOptions(input); // bad options fail before anything is read
  const format = cmd.format ?? DEDUP_DEFAULTS.format;
  const events = stderrEvents();
  const progress = cmd.progress !== false && showProgress(process.stderr, process.env) ? new ProgressBar(process.stderr) : undefined;
  const onEvent = (e: ScanEvent) => {
    if (e.type === 'progress') return progress?.update(e.done, e.total);
    progress?.clear();
    events.onEvent(e);
  };
  const stop = onSignals(settings.manifest === undefined ? [settings.out] : [settings.out, settings.manifest]);
  let result: DedupResult;
  try {
    // the config file is read too: never written over
    result = await deduplicate(cmd.paths, { ...input, alsoRead: merged.config ? [merged.config.file] : [] }, { onEvent });
  } finally {
    stop();
    progress?.clear();
  }
  events.finish();
  if (format === 'json') process.stdout.write(renderDedupJson(result));
  else {
    process.stdout.write(renderDedupText(result, colorLevel((cmd.color ?? 'auto') as ColorMode, process.stdout.isTTY === true)));
    for (const line of renderDedupSummary(result)) process.stderr.write(`${line}\n`);
  }
  if (result.notWritten === 'errors') {
    const n = result.counts.failed;
    warn(`nothing written: ${n} input${n === 1 ? '' : 's'} could not be read (--skip-errors writes the output without ${n === 1 ? 'it' : 'them'})`);
    return EXIT.error;
  }
  return result.counts.failed > 0 && !settings.skipErrors ? EXIT.error : EXIT.clean;
}
