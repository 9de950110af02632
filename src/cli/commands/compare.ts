/** `neardup compare A B`: the similarity report for two documents. */
import { compareSources, readInput } from '../../compare/compare.js';
import { RUN_DEFAULTS, resolveRunOptions } from '../../options/report.js';
import { resolveOptions } from '../../options/scan.js';
import { renderCompareJson, renderCompareText } from '../../report/compare-text.js';
import { colorLevel } from '../../report/style.js';
import { exitCode } from '../exit.js';
import { refuseWritingOverInput, repositoryRoot, writeReport } from '../output.js';
import type { CompareCommand, Given } from '../program.js';
import { mergeSettings, printedConfig } from '../settings.js';

export async function runCompare(given: CompareCommand, flags: Given): Promise<number> {
  const cwd = process.cwd();
  const merged = mergeSettings(given, flags, 'compare', cwd, repositoryRoot(cwd));
  const cmd = merged.cmd;
  const run = resolveRunOptions(
    { format: cmd.format, output: cmd.output, color: cmd.color, exitZero: cmd.exitZero, passages: cmd.passages, context: cmd.context },
    'compare',
  );
  const settings = resolveOptions({
    shingle: cmd.shingle,
    metric: cmd.metric,
    threshold: cmd.threshold,
    numPerm: cmd.numPerm,
    seed: cmd.seed,
    stem: cmd.stem,
    stopwords: cmd.stopwords,
    maxFileSize: cmd.maxFilesize,
    textField: cmd.textField,
  });
  if (cmd.printConfig) {
    writeReport(undefined, printedConfig(merged, settings, run, 'compare'));
    return 0;
  }
  const a = await readInput(cmd.a, settings);
  const b = await readInput(cmd.b, settings);
  const result = compareSources(a, b, settings);
  const tty = !run.output && process.stdout.isTTY === true;
  const report =
    run.format === 'json'
      ? renderCompareJson(result, run.passages)
      : renderCompareText(result, {
          colorLevel: colorLevel(run.color, tty),
          passages: run.passages,
          context: run.context,
          width: tty ? Math.max(40, process.stdout.columns ?? RUN_DEFAULTS.width) : RUN_DEFAULTS.width,
        });
  if (run.output) refuseWritingOverInput([{ file: run.output, what: 'report' }], [a.file ?? cmd.a, b.file ?? cmd.b]);
  writeReport(run.output, report);
  return exitCode({ errors: 0, groups: result.nearDuplicates ? 1 : 0 }, { exitZero: run.exitZero, maxGroups: 0, updateBaseline: false });
}
