/**
 * The command line: commander turns argv into one options object, in one step. The one
 * module that imports commander. Defaults shown in --help are read from options.ts.
 */
import { Command, Option } from 'commander';
import { DEFAULTS, RECORDS_MODES, STDIN_FORMATS, formatShingle } from '../options.js';
import { FORMATS } from '../report/index.js';
import { VERSION } from '../version.js';

export interface ScanCommand {
  paths: string[];
  shingle?: string;
  threshold?: string;
  metric?: string;
  numPerm?: string;
  seed?: string;
  bands?: string;
  rows?: string;
  stem?: boolean;
  stopwords?: boolean;
  hidden?: boolean;
  ignore: boolean;
  glob: string[];
  maxFilesize?: string;
  follow?: boolean;
  format: string;
  color: string;
  exitZero?: boolean;
  threads?: string;
  memory?: string;
  progress?: boolean;
  textField?: string;
  idField?: string;
  records?: string;
  stdinFormat?: string;
  filesFrom?: string;
  null?: boolean;
  skipErrors?: boolean;
}

const collect = (value: string, previous: string[]) => [...previous, value];

const EXIT_HELP = `
Exit codes:
  0  no near-duplicates found
  1  near-duplicates found (0 with --exit-zero)
  2  error: bad options, or an input that could not be read (wins over 1;
     with --skip-errors such inputs are reported but do not count)`;

const SCAN_EXAMPLES = `
Examples:
  $ neardup scan seeds                        the two seed copies come out as one group
  $ neardup scan docs --format json > r.json  machine-readable report on stdout
  $ neardup scan . --glob '*.md' --glob '!drafts/**'
  $ neardup scan corpus --shingle word:5 --metric jaccard --threshold 0.8
  $ neardup scan dump.jsonl.gz --text-field body --id-field meta.id
  $ git ls-files -z '*.md' | neardup scan --files-from - -0
${EXIT_HELP}`;

/** Builds the program; `onScan` receives the parsed scan command. */
export interface ProgramOutput {
  writeOut(s: string): void;
  writeErr(s: string): void;
}

export function buildProgram(onScan: (cmd: ScanCommand) => Promise<void>, output: ProgramOutput): Command {
  const program = new Command('neardup')
    .description('Find near-duplicate documents: the same text in different clothes.')
    .version(VERSION, '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText('after', EXIT_HELP)
    // Set before subcommands are added, so they inherit it: usage errors become exceptions
    // that main() maps to exit 2.
    .exitOverride()
    .configureOutput({
      ...output,
      // one style for every error line: `neardup: <problem>`
      outputError: (str, write) => write(`neardup: ${str.replace(/^error: /, '')}`),
    });

  program
    .command('scan')
    .description('scan files and folders for near-duplicate documents, grouped, with scores')
    .argument('[paths...]', 'files or folders to scan; - reads standard input (default: .)')
    .option('--shingle <mode>', `shingles: char:N (letters only) or word:N (default: ${formatShingle(DEFAULTS.shingle)})`)
    .option('--metric <metric>', `jaccard, or containment (shared over the smaller document) (default: ${DEFAULTS.metric})`)
    .option('-t, --threshold <x>', `similarity from 0 to 1 at which documents count as near-duplicates (default: ${DEFAULTS.threshold})`)
    .option('--num-perm <n>', `MinHash signature length (default: ${DEFAULTS.numPerm})`)
    .option('--seed <n>', `hash seed (default: ${DEFAULTS.seed})`)
    .option('--bands <n>', 'LSH bands (default: chosen from the threshold)')
    .option('--rows <n>', 'LSH rows per band (default: chosen from the threshold)')
    .option('--stem', 'stem words (Porter, English) before shingling')
    .option('--stopwords', 'drop English stop words before shingling')
    .option('--hidden', 'include hidden files and folders')
    .option('--no-ignore', 'do not honour .gitignore, .ignore and .git/info/exclude')
    .option('-g, --glob <pattern>', "include files matching a glob; '!pattern' excludes (repeatable)", collect, [] as string[])
    .option('--max-filesize <size>', 'skip files larger than this, e.g. 500K, 10M (default: 100M)')
    .option('-L, --follow', 'follow symbolic links to folders')
    .option('-j, --threads <n>', 'worker threads for reading and sketching; 0 = one per core (default: 0)')
    .option('--memory <size>', `shingle sets kept in memory for verification; more are recomputed (default: ${DEFAULTS.memoryBudget / 1024 / 1024}M)`)
    .option('--text-field <name>', `record files: the field with the text; dots reach into objects, meta.body (default: ${DEFAULTS.textField})`)
    .option('--id-field <name>', 'record files: the field with the id (default: records are named path:line)')
    .addOption(new Option('--records <mode>', '.jsonl/.ndjson/.json/.csv files: auto reads their records, off reads them as text').choices(RECORDS_MODES).default(DEFAULTS.records))
    .addOption(new Option('--stdin-format <fmt>', "what '-' reads: one text, or JSONL records").choices(STDIN_FORMATS).default(DEFAULTS.stdinFormat))
    .option('--files-from <file>', 'also scan the paths listed in this file, one a line (- reads standard input)')
    .option('-0, --null', '--files-from entries are separated by NUL bytes (find -print0, git ls-files -z)')
    .option('--skip-errors', 'inputs that cannot be read are reported and counted, but do not make the exit code 2')
    .option('--no-progress', 'no progress bar (it is shown only when stderr is a terminal and not in CI)')
    .addOption(new Option('-f, --format <format>', 'report format').choices(FORMATS).default('text'))
    .addOption(new Option('--color <when>', 'colour the text report').choices(['auto', 'always', 'never']).default('auto'))
    .option('--exit-zero', 'exit 0 even when near-duplicates are found')
    .addHelpText('after', SCAN_EXAMPLES)
    .action(async (paths: string[], opts: Omit<ScanCommand, 'paths'>) => {
      await onScan({ ...opts, paths });
    });

  return program;
}
