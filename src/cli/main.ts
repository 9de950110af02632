/**
 * The CLI: the only code that touches process.stdout, process.stderr and the exit code (with
 * src/cli/output.ts and the command modules under src/cli/commands). Loaded by start.ts, which
 * sets V8's flags first.
 */
import { CommanderError } from 'commander';
import { letSignalsIn } from '../corpus/temp.js';
import { describeError, NearDupError } from '../model/errors.js';
import { EXIT } from './exit.js';
import { warn } from './output.js';
import { buildProgram } from './program.js';
import { handleSignals } from './signals.js';

function handleStdoutErrors(): void {
  // `neardup ... | head`: a closed pipe ends the run quietly.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
}

/** Whether the run opened an index (SQLite: its connections are closed as the process ends). */
let indexUsed = false;

export async function main(argv: string[]): Promise<void> {
  handleSignals();
  handleStdoutErrors();
  const program = buildProgram(
    {
      // each command's modules are loaded when it runs (startup time is most of a small scan)
      scan: async (cmd, given) => {
        // for a scan that looks big, a worker thread starts while the scan's modules load (the
        // pool takes it); start.ts may have started it already, from the command line at a glance
        const ahead = await import('../engine/prestart.js');
        if (cmd.printConfig === true || String(cmd.threads ?? '0') === '1' || cmd.filesFrom) ahead.discardPrestarted();
        else if (!ahead.prestarted() && ahead.looksLarge(cmd.paths.filter((p) => p !== '-'))) ahead.prestartWorker();
        if (cmd.db !== undefined || cmd.indexQuery === true) indexUsed = true;
        try {
          const { runScan } = await import('./commands/scan.js');
          process.exitCode = await runScan(cmd, given);
        } finally {
          ahead.discardPrestarted();
        }
      },
      compare: async (cmd, given) => {
        const { runCompare } = await import('./commands/compare.js');
        process.exitCode = await runCompare(cmd, given);
      },
      index: async (...args) => {
        indexUsed = true;
        const { runIndex } = await import('./commands/index-db.js');
        return runIndex(...args);
      },
      dedup: async (cmd, given) => {
        const { runDedup } = await import('./commands/dedup.js');
        process.exitCode = await runDedup(cmd, given);
      },
    },
    {
      writeOut: (s) => process.stdout.write(s),
      writeErr: (s) => process.stderr.write(s),
    },
  );
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
// a signal that came during the run's last synchronous work is handled (exit 130 or 143), not lost
await letSignalsIn();
// All is written (reports wait for their writes; files are written synchronously): the process
// ends here rather than tear its heaps down first (~25 ms after a large scan), unless output
// is still queued (stdout or stderr a pipe on Windows) or an index was opened.
if (!indexUsed && process.stdout.writableLength === 0 && process.stderr.writableLength === 0) process.exit();
