/**
 * The CLI entry: the only code that touches process.stdout, process.stderr and the exit code.
 */
import { CommanderError } from 'commander';
import { NearDupError, describeError } from '../errors.js';
import { findNearDuplicates } from '../scan.js';
import { COLORED, REPORTERS, type Format } from '../report/index.js';
import { colorLevel, type ColorMode } from '../report/text.js';
import type { ScanEvent } from '../types.js';
import { EXIT, exitCode } from './exit.js';
import { buildProgram, type ScanCommand } from './program.js';
import { ProgressBar, showProgress } from './progress.js';

function handleStdoutErrors(): void {
  // `neardup ... | head`: a closed pipe ends the run quietly.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
}

/** Warnings printed one by one before the rest are summed up in one line. */
const MAX_WARNINGS_SHOWN = 5;

/** One line, whatever it quotes: control characters (a newline in a file name) shown escaped. */
function oneLine(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f]/g, (c) => (c === '\n' ? '\\n' : c === '\t' ? '\\t' : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`));
}

function warn(line: string): void {
  process.stderr.write(`neardup: ${oneLine(line)}\n`);
}

async function runScan(cmd: ScanCommand): Promise<void> {
  const format = cmd.format as Format;
  let warnings = 0;
  const progress = cmd.progress !== false && showProgress(process.stderr, process.env) ? new ProgressBar(process.stderr) : undefined;
  const onEvent = (e: ScanEvent) => {
    if (e.type === 'progress') return progress?.update(e.done, e.total);
    progress?.clear();
    if (e.type === 'error') warn(`${e.error.path}: ${e.error.message}`);
    else if (e.type === 'warning' && ++warnings <= MAX_WARNINGS_SHOWN) warn(`warning: ${e.warning.path}: ${e.warning.message}`);
  };
  const result = await findNearDuplicates(
    cmd.paths,
    {
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
      threads: cmd.threads,
      memoryBudget: cmd.memory,
      textField: cmd.textField,
      idField: cmd.idField,
      records: cmd.records,
      stdinFormat: cmd.stdinFormat,
      filesFrom: cmd.filesFrom,
      nullSeparated: cmd.null,
      stdin: process.stdin,
    },
    { onEvent },
  );
  progress?.clear();
  if (warnings > MAX_WARNINGS_SHOWN) {
    warn(`warning: ${warnings - MAX_WARNINGS_SHOWN} more warnings not shown (${warnings} in all; the JSON report lists every one)`);
  }
  const level = COLORED[format] ? colorLevel(cmd.color as ColorMode, process.stdout.isTTY === true) : 0;
  process.stdout.write(REPORTERS[format](result, { colorLevel: level }));
  process.exitCode = exitCode(result, { exitZero: cmd.exitZero === true, skipErrors: cmd.skipErrors === true });
}

export async function main(argv: string[]): Promise<void> {
  handleStdoutErrors();
  const program = buildProgram(runScan, {
    writeOut: (s) => process.stdout.write(s),
    writeErr: (s) => process.stderr.write(s),
  });
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version exit 0; usage errors (already printed by commander) exit 2.
      process.exitCode = err.exitCode === 0 ? 0 : EXIT.error;
      return;
    }
    if (err instanceof NearDupError) {
      warn(err.message);
      process.exitCode = EXIT.error;
      return;
    }
    warn(`internal error: ${describeError(err)}`);
    if (process.env.NEARDUP_DEBUG) process.stderr.write(`${(err as Error).stack}\n`);
    process.exitCode = EXIT.error;
  }
}

await main(process.argv);
