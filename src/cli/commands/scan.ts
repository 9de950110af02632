/** `neardup scan`: walk, match, report (in any format, to stdout or a file), gate. */
import path from 'node:path';
import { applyBaseline, buildBaseline, checkBaselineSettings, pathsRelativeTo, readBaseline, renderBaseline } from '../../baseline/baseline.js';
import { letSignalsIn } from '../../corpus/temp.js';
import { findNearDuplicates } from '../../engine/scan.js';
import { NearDupError } from '../../model/errors.js';
import { isIndexScanResult } from '../../model/index-results.js';
import type { ScanEvent, ScanResult } from '../../model/types.js';
import { resolveRunOptions } from '../../options/report.js';
import { resolveOptions } from '../../options/scan.js';
import type { BaselineInfo, ReportContext } from '../../report/context.js';
import { COLORED, REPORTERS } from '../../report/registry.js';
import { exitCode } from '../exit.js';
import { scanInput } from '../inputs.js';
import { fileSink, refuseWritingOverInput, repositoryRoot, sameFile, stdoutSink, warn, writeFileAtomic, writeReport } from '../output.js';
import type { Given, ScanCommand } from '../program.js';
import { ProgressBar, showProgress } from '../progress.js';
import { mergeSettings, printedConfig } from '../settings.js';

/** Warnings printed one by one before the rest are summed up in one line. */
const MAX_WARNINGS_SHOWN = 5;

/**
 * The files a scan read or skipped: a record's file, not its `file:line`; exact bytes when a name
 * is not UTF-8; and the index it read (scan --db, index query).
 */
function* inputFiles(found: ScanResult): Generator<string | Buffer> {
  if (isIndexScanResult(found)) yield found.index.db;
  for (const places of [found.documents, found.skipped]) {
    for (const p of places) {
      if (p.pathBytes !== undefined) yield Buffer.from(p.pathBytes, 'base64');
      else yield p.source ?? p.path;
    }
  }
}

export async function runScan(given: ScanCommand, flags: Given): Promise<number> {
  const cwd = process.cwd();
  const root = repositoryRoot(cwd);
  const merged = mergeSettings(given, flags, 'scan', cwd, root);
  const cmd = merged.cmd;
  const run = resolveRunOptions({
    format: cmd.format,
    output: cmd.output,
    color: cmd.color,
    exitZero: cmd.exitZero,
    baseline: cmd.baseline,
    updateBaseline: cmd.updateBaseline,
    maxGroups: cmd.maxGroups,
    explain: cmd.explain,
    passages: cmd.passages,
    context: cmd.context,
  });
  const input = scanInput(cmd);
  const settings = resolveOptions(input); // bad options fail before anything is written
  if (cmd.printConfig) {
    writeReport(undefined, printedConfig(merged, settings, run, 'scan'));
    return 0;
  }
  // with --files-from the listed paths are the input: '.' is the default only without them
  const paths = cmd.paths.length || cmd.filesFrom ? cmd.paths : ['.'];
  // A baseline that cannot be used fails the run before anything is written.
  const baseline = run.baseline && !run.updateBaseline ? readBaseline(run.baseline) : undefined;
  if (baseline) checkBaselineSettings(baseline, settings, run.baseline!);
  const baselineKey = run.baseline ? pathsRelativeTo(path.dirname(path.resolve(run.baseline)), cwd) : undefined;
  // the report would replace the baseline it is checked against (or the one it records)
  if (run.output && run.baseline && sameFile(run.output, run.baseline)) {
    throw new NearDupError('EOUTPUT', `${run.output}: report not written: it is the --baseline file`);
  }
  const sink = run.output ? fileSink(run.output) : stdoutSink();
  try {
    const indexed = cmd.db !== undefined || cmd.indexQuery === true;
    const report = (await REPORTERS[run.format](indexed))(sink);
    report.begin?.(settings, paths);
    let warnings = 0;
    const progress = cmd.progress !== false && showProgress(process.stderr, process.env) ? new ProgressBar(process.stderr) : undefined;
    const onEvent = (e: ScanEvent) => {
      if (e.type === 'progress') {
        progress?.update(e.done, e.total);
        return report.event?.(e);
      }
      progress?.clear();
      if (e.type === 'error') warn(`${e.error.path}: ${e.error.message}`);
      else if (e.type === 'warning' && ++warnings <= MAX_WARNINGS_SHOWN) warn(`warning: ${e.warning.path}: ${e.warning.message}`);
      report.event?.(e);
    };
    // the index modules (SQLite) are loaded only when an index is used
    const engine = !indexed ? findNearDuplicates : (await import('./index-db.js')).scanEngine(cmd);
    const found = await engine(paths, input, { onEvent });
    progress?.clear();
    // nothing the scan read (or skipped) is written over by its report or baseline
    refuseWritingOverInput(
      [...(run.output ? [{ file: run.output, what: 'report' }] : []), ...(run.updateBaseline ? [{ file: run.baseline!, what: 'baseline' }] : [])],
      inputFiles(found),
    );
    if (warnings > MAX_WARNINGS_SHOWN) {
      warn(`warning: ${warnings - MAX_WARNINGS_SHOWN} more warnings not shown (${warnings} in all; the JSON report lists every one)`);
    }
    let result = found;
    let info: BaselineInfo | undefined;
    if (baseline) {
      const gated = applyBaseline(found, baseline, baselineKey!);
      result = gated.result;
      info = { file: run.baseline!, known: gated.known, new: gated.new, absent: gated.absent, updated: false };
    } else if (run.updateBaseline) {
      if (found.errors.length > 0) {
        warn(`${run.baseline}: baseline not written: ${found.errors.length} input${found.errors.length === 1 ? '' : 's'} could not be read`);
      } else {
        writeFileAtomic(run.baseline!, renderBaseline(buildBaseline(found, baselineKey!)));
        info = { file: run.baseline!, known: 0, new: found.groups.length, absent: 0, updated: true };
      }
    }
    const isTTY = !run.output && process.stdout.isTTY === true;
    // the colour and --explain modules are loaded only when used
    const ctx: ReportContext = {
      colorLevel: COLORED[run.format] ? (await import('../../report/style.js')).colorLevel(run.color, isTTY) : 0,
      cwd,
      root,
      ...(info ? { baseline: info } : {}),
    };
    if (run.explain) {
      const { explainer, recordTexts } = await import('../../compare/explain.js');
      const records = await recordTexts(result, cwd);
      Object.assign(ctx, { explain: explainer(result, cwd, (message) => warn(message), records), passages: run.passages, context: run.context });
    }
    await report.end(result, ctx);
    // a signal that came while the report was written stops the run before the report appears
    if (run.output) await letSignalsIn();
    sink.commit();
    return exitCode(
      {
        errors: found.errors.length,
        groups: found.groups.length,
        ...(baseline ? { newGroups: result.groups.length } : {}),
        ...(run.updateBaseline && !info ? { unwritten: true } : {}),
      },
      { exitZero: run.exitZero, maxGroups: run.maxGroups, updateBaseline: run.updateBaseline, skipErrors: cmd.skipErrors === true },
    );
  } catch (err) {
    sink.abort();
    throw err;
  }
}
