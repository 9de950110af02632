/**
 * The command line: commander turns argv into one options object, in one step. The one
 * module that imports commander. Defaults shown in --help are read from options.ts.
 */
import { Command, Option } from 'commander';
import { DEFAULTS, INDEX_DEFAULTS, INDEX_LIMITS, formatShingle } from '../options.js';
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
  /** scan --db, index query: the index file. */
  db?: string;
  /** index query: the given documents against the index only, not against each other. */
  indexQuery?: boolean;
}

/** `neardup index add|remove|stats|verify` (index query runs as a scan: see ScanCommand). */
export interface IndexCommand extends Partial<Omit<ScanCommand, 'paths' | 'format' | 'color' | 'exitZero' | 'indexQuery'>> {
  action: 'add' | 'remove' | 'stats' | 'verify';
  paths: string[];
  format: string;
  prune?: boolean;
  batchSize?: string;
  /** false with --no-store-shingles; undefined when not given (an existing index keeps its choice). */
  storeShingles?: boolean;
}

const collect = (value: string, previous: string[]) => [...previous, value];

const EXIT_HELP = `
Exit codes:
  0  no near-duplicates found
  1  near-duplicates found (0 with --exit-zero)
  2  error: bad options, or an input that could not be read (wins over 1)`;

const SCAN_EXAMPLES = `
Examples:
  $ neardup scan seeds                        the two seed copies come out as one group
  $ neardup scan docs --format json > r.json  machine-readable report on stdout
  $ neardup scan . --glob '*.md' --glob '!drafts/**'
  $ neardup scan corpus --shingle word:5 --metric jaccard --threshold 0.8
${EXIT_HELP}`;

/** Builds the program; `onScan` receives the parsed scan command. */
export interface ProgramOutput {
  writeOut(s: string): void;
  writeErr(s: string): void;
}

export function buildProgram(
  onScan: (cmd: ScanCommand) => Promise<void>,
  output: ProgramOutput,
  onIndex: (cmd: IndexCommand) => Promise<void> = async () => {},
): Command {
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
    .addOption(new Option('-f, --format <format>', 'report format').choices(FORMATS).default('text'))
    .addOption(new Option('--color <when>', 'colour the text report').choices(['auto', 'always', 'never']).default('auto'))
    .option('--exit-zero', 'exit 0 even when near-duplicates are found')
    .addHelpText('after', SCAN_EXAMPLES)
    .action(async (paths: string[], opts: Omit<ScanCommand, 'paths'>) => {
      await onScan({ ...opts, paths });
    });

  addIndexCommands(program, onScan, onIndex);
  return program;
}

const INDEX_EXAMPLES = `
Examples:
  $ neardup index add docs                 sketch and store every document under docs
  $ neardup index add docs --prune         again later: changed files replaced, deleted ones removed
  $ neardup index query new.md             exit 1 when new.md near-duplicates an indexed document
  $ neardup scan drafts --db ${INDEX_DEFAULTS.db}
                                           drafts against each other and against the index
${EXIT_HELP}`;

/** Options `index add` shares with `scan`: what decides the sketches, and the walk. */
const ADD_SHARED = ['shingle', 'metric', 'threshold', 'numPerm', 'seed', 'bands', 'rows', 'stem', 'stopwords', 'hidden', 'ignore', 'glob', 'maxFilesize', 'follow'];

/**
 * `neardup index ...` and `scan --db`. Options shared with scan are scan's own Option objects,
 * so their help text and defaults are defined once.
 */
function addIndexCommands(program: Command, onScan: (cmd: ScanCommand) => Promise<void>, onIndex: (cmd: IndexCommand) => Promise<void>): void {
  const scan = program.commands.find((c) => c.name() === 'scan')!;
  const shared = (names?: readonly string[]) => scan.options.filter((o) => names?.includes(o.attributeName()) ?? true);
  const dbOption = () => new Option('--db <file>', `the index file (default: ${INDEX_DEFAULTS.db})`);
  const formatOption = () => new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text');
  const indexAction = (action: IndexCommand['action']) => async (...args: unknown[]) => {
    const command = args.at(-1) as Command;
    const opts = command.opts() as Omit<IndexCommand, 'action' | 'paths'>;
    const paths = Array.isArray(args[0]) ? (args[0] as string[]) : [];
    // --no-store-shingles: commander's default (true) must not count as a choice
    const storeShingles = command.getOptionValueSource('storeShingles') === 'cli' ? false : undefined;
    await onIndex({ ...opts, storeShingles, action, paths });
  };

  const index = program
    .command('index')
    .description('a persistent index: add documents over time, check new ones against everything indexed')
    .addHelpText('after', INDEX_EXAMPLES);

  const add = index
    .command('add')
    .description('sketch and store documents; unchanged files are skipped, changed ones replaced')
    .argument('<paths...>', 'files or folders to add');
  for (const o of shared(ADD_SHARED)) add.addOption(o);
  add
    .addOption(dbOption())
    .option('--prune', 'also remove entries whose files no longer exist')
    .option('--batch-size <n>', `documents written per transaction (default: ${INDEX_DEFAULTS.batchSize}, ${INDEX_LIMITS.batchSize.min}-${INDEX_LIMITS.batchSize.max})`)
    .option('--no-store-shingles', 'new index: keep no shingle sets (smaller; matches are verified by reading the indexed files again)')
    .addOption(formatOption())
    .addHelpText('after', `
A new index records the settings it is built with; --metric and --threshold choose its LSH bands.
Adding to an existing index takes every setting not given from it, and refuses one that differs.`)
    .action(indexAction('add'));

  const query = index
    .command('query')
    .description('report, for each given document, the indexed documents it near-duplicates (exit 1 when any)')
    .argument('<paths...>', 'files or folders to check');
  for (const o of shared()) query.addOption(o);
  query.addOption(dbOption()).addHelpText('after', `
Settings not given come from the index (metric and threshold included: what it was built for).
Shingles, permutations, seed, bands, rows, --stem and --stopwords given must match the index.
An indexed entry for one of the files given is left out: the file is compared as it is now.
${EXIT_HELP}`);
  query.action(async (paths: string[], opts: Omit<ScanCommand, 'paths'>) => {
    await onScan({ ...opts, paths, indexQuery: true });
  });

  index
    .command('remove')
    .description('remove the entries of files, or of every file under folders (the files need not exist)')
    .argument('<paths...>', 'files or folders whose entries to remove')
    .addOption(dbOption())
    .addOption(formatOption())
    .action(indexAction('remove'));
  index.command('stats').description('documents, settings, size on disk and schema version of an index').addOption(dbOption()).addOption(formatOption()).action(indexAction('stats'));
  index.command('verify').description('check an index for damage (exit 2 when anything is wrong)').addOption(dbOption()).addOption(formatOption()).action(indexAction('verify'));

  scan.option('--db <file>', 'also compare with every document in this index (see neardup index --help)');
}
