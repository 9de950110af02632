/**
 * The command line: commander turns argv into one options object, in one step. The one
 * module that imports commander. Defaults shown in --help are read from options.ts.
 */
import { Command, Option } from 'commander';
import { COLOR_MODES, DEFAULTS, FORMATS, RUN_DEFAULTS, formatShingle } from '../options.js';
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
  format?: string;
  output?: string;
  color?: string;
  exitZero?: boolean;
  baseline?: string;
  updateBaseline?: boolean;
  maxGroups?: string;
}

/** What each command does with its parsed options. */
export interface Handlers {
  scan(cmd: ScanCommand): Promise<void>;
}

const collect = (value: string, previous: string[]) => [...previous, value];

const EXIT_HELP = `
Exit codes:
  0  no near-duplicates found (none new with --baseline; at most --max-groups)
  1  near-duplicates found (0 with --exit-zero or --update-baseline)
  2  error: bad options, an unusable baseline, or an input that could not be read
     (wins over 1)`;

const SCAN_EXAMPLES = `
Examples:
  $ neardup scan seeds                        the two seed copies come out as one group
  $ neardup scan docs --format json > r.json  machine-readable report on stdout
  $ neardup scan docs --format sarif --output neardup.sarif
  $ neardup scan docs --format jsonl | jq -c 'select(.type == "group")'
  $ neardup scan docs --update-baseline       accept today's groups (.neardup-baseline.json)
  $ neardup scan docs --baseline .neardup-baseline.json   fail only on new groups
  $ neardup scan . --glob '*.md' --glob '!drafts/**'
  $ neardup scan corpus --shingle word:5 --metric jaccard --threshold 0.8
${EXIT_HELP}`;

/** Builds the program; `onScan` receives the parsed scan command. */
export interface ProgramOutput {
  writeOut(s: string): void;
  writeErr(s: string): void;
}

export function buildProgram(handlers: Handlers, output: ProgramOutput): Command {
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
    .argument('[paths...]', 'files or folders to scan (default: .)')
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
    .addOption(new Option('-f, --format <format>', `report format (default: ${RUN_DEFAULTS.format})`).choices(FORMATS))
    .option('-o, --output <file>', 'write the report to this file (whole, at the end) instead of stdout')
    .addOption(new Option('--color <when>', `colour the text report (default: ${RUN_DEFAULTS.color})`).choices(COLOR_MODES))
    .option('--exit-zero', 'exit 0 even when near-duplicates are found')
    .option('--baseline <file>', 'accept the groups recorded in this file: report and fail only on new ones')
    .option('--update-baseline', `record the groups found in the --baseline file (default: ${RUN_DEFAULTS.baselineFile}) and exit 0`)
    .option('--max-groups <n>', `fail only when more than n groups (new ones, with --baseline) are found (default: ${RUN_DEFAULTS.maxGroups})`)
    .addHelpText('after', SCAN_EXAMPLES)
    .action(async (paths: string[], opts: Omit<ScanCommand, 'paths'>) => {
      await handlers.scan({ ...opts, paths });
    });

  return program;
}
