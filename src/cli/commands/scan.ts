/** `neardup scan`: walk, match, report (in any format, to stdout or a file), gate. */
import { resolveOptions, resolveRunOptions, type ScanOptionsInput } from '../../options.js';
import { COLORED, REPORTERS, type ReportContext } from '../../report/index.js';
import { colorLevel } from '../../report/text.js';
import { findNearDuplicates, type ScanInput } from '../../scan.js';
import type { ScanEvent } from '../../types.js';
import { exitCode } from '../exit.js';
import { fileSink, repositoryRoot, stdoutSink, warn } from '../output.js';
import type { ScanCommand } from '../program.js';

/** Warnings printed one by one before the rest are summed up in one line. */
const MAX_WARNINGS_SHOWN = 5;

export function scanInput(cmd: ScanCommand): ScanInput & ScanOptionsInput {
  return {
    shingle: cmd.shingle,
    metric: cmd.metric,
    threshold: cmd.threshold,
    numPerm: cmd.numPerm,
    seed: cmd.seed,
    bands: cmd.bands,
    rows: cmd.rows,
    stem: cmd.stem,
    stopwords: cmd.stopwords,
    hidden: cmd.hidden,
    respectIgnore: cmd.ignore,
    globs: cmd.glob,
    maxFileSize: cmd.maxFilesize,
    follow: cmd.follow,
  };
}

export async function runScan(cmd: ScanCommand): Promise<number> {
  const run = resolveRunOptions({
    format: cmd.format,
    output: cmd.output,
    color: cmd.color,
    exitZero: cmd.exitZero,
  });
  const input = scanInput(cmd);
  const settings = resolveOptions(input); // bad options fail before anything is written
  const paths = cmd.paths.length ? cmd.paths : ['.'];
  const cwd = process.cwd();
  const sink = run.output ? fileSink(run.output) : stdoutSink();
  try {
    const session = REPORTERS[run.format](sink);
    session.begin?.(settings, paths);
    let warnings = 0;
    const onEvent = (e: ScanEvent) => {
      if (e.type === 'error') warn(`${e.error.path}: ${e.error.message}`);
      else if (e.type === 'warning' && ++warnings <= MAX_WARNINGS_SHOWN) warn(`warning: ${e.warning.path}: ${e.warning.message}`);
      session.event?.(e);
    };
    const result = await findNearDuplicates(paths, input, { onEvent });
    if (warnings > MAX_WARNINGS_SHOWN) {
      warn(`warning: ${warnings - MAX_WARNINGS_SHOWN} more warnings not shown (${warnings} in all; the JSON report lists every one)`);
    }
    const isTTY = !run.output && process.stdout.isTTY === true;
    const ctx: ReportContext = {
      colorLevel: COLORED[run.format] ? colorLevel(run.color, isTTY) : 0,
      cwd,
      root: repositoryRoot(cwd),
    };
    session.end(result, ctx);
    sink.commit();
    return exitCode(
      { errors: result.errors.length, groups: result.groups.length },
      { exitZero: run.exitZero, maxGroups: run.maxGroups, updateBaseline: false },
    );
  } catch (err) {
    sink.abort();
    throw err;
  }
}
