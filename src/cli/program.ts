/**
 * The command line: commander turns argv into one options object, in one step. The one
 * module that imports commander. Defaults shown in --help are read from src/options.
 */
import { Command, Option } from 'commander';
import { NearDupError } from '../model/errors.js';
import { VERSION } from '../model/version.js';
import { DEDUP_DEFAULTS, DEDUP_FORMATS, KEEP_POLICIES } from '../options/dedup.js';
import { INDEX_DEFAULTS, INDEX_LIMITS } from '../options/index-db.js';
import { COLOR_MODES, COMPARE_FORMATS, FORMATS, RUN_DEFAULTS } from '../options/report.js';
import { DEFAULTS, formatShingle, RECORDS_MODES, STDIN_FORMATS } from '../options/scan.js';

/** A number given as a flag (a string) or in a config file (a number). */
type Num = string | number;

/** Options both commands have. */
interface CommonCommand {
  shingle?: string;
  threshold?: Num;
  metric?: string;
  numPerm?: Num;
  seed?: Num;
  stem?: boolean;
  stopwords?: boolean;
  maxFilesize?: Num;
  format?: string;
  output?: string;
  color?: string;
  passages?: Num;
  context?: Num;
  exitZero?: boolean;
  /** --config FILE, or false for --no-config. */
  config?: string | false;
  printConfig?: boolean;
}

export interface ScanCommand extends CommonCommand {
  paths: string[];
  bands?: Num;
  rows?: Num;
  hidden?: boolean;
  ignore?: boolean;
  glob?: string[];
  follow?: boolean;
  baseline?: string;
  updateBaseline?: boolean;
  maxGroups?: Num;
  explain?: boolean;
  threads?: Num;
  memory?: Num;
  progress?: boolean;
  /** scan --db, index query: the index file. */
  db?: string;
  /** index query: the given documents against the index only, not against each other. */
  indexQuery?: boolean;
  textField?: string;
  idField?: string;
  records?: string;
  stdinFormat?: string;
  filesFrom?: string;
  null?: boolean;
  skipErrors?: boolean;
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

export interface CompareCommand extends CommonCommand {
  a: string;
  b: string;
  /** For a record named by its place (FILE:LINE): the field with its text. */
  textField?: string;
}

/** `neardup dedup`: scan's similarity, walk and record options, and its own. */
export interface DedupCommand extends Partial<Omit<ScanCommand, 'paths' | 'format'>> {
  paths: string[];
  out?: string;
  keep?: string;
  manifest?: string;
  link?: boolean;
  force?: boolean;
  dryRun?: boolean;
  format?: string;
}

/** The options given on the command line (their camelCase names), which win over a config file. */
export type Given = ReadonlySet<string>;

/** What each command does with its parsed options. */
export interface Handlers {
  scan(cmd: ScanCommand, given: Given): Promise<void>;
  compare(cmd: CompareCommand, given: Given): Promise<void>;
  index(cmd: IndexCommand, given: Given): Promise<void>;
  dedup(cmd: DedupCommand, given: Given): Promise<void>;
}

const collect = (value: string, previous: string[] | undefined) => [...(previous ?? []), value];

const EXIT_HELP = `
Exit codes:
  0  no near-duplicates found (none new with --baseline; at most --max-groups)
  1  near-duplicates found (0 with --exit-zero or --update-baseline)
  2  error: bad options, an unusable baseline, or an input that could not be read
     (wins over 1; with --skip-errors such inputs are reported but do not count)`;

const ROOT_EXAMPLES = `
Examples:
  $ neardup scan seeds                  which documents are copies of each other
  $ neardup compare a.txt b.txt         what two documents share, passage by passage
  $ neardup dedup docs --out clean      the folder without its near-duplicates (see dedup --help)
  $ neardup scan --help                 every scan option (formats, baselines, config)
`;

const SCAN_EXAMPLES = `
Examples:
  $ neardup scan seeds                        the two seed copies come out as one group
  $ neardup scan docs --format json > r.json  machine-readable report on stdout
  $ neardup scan docs --format sarif --output neardup.sarif
  $ neardup scan docs --format jsonl | jq -c 'select(.type == "group")'
  $ neardup scan docs --explain --passages 5  what each reported pair shares
  $ neardup scan docs --update-baseline       accept today's groups (.neardup-baseline.json)
  $ neardup scan docs --baseline .neardup-baseline.json
                                              fail only on groups not in the baseline
  $ neardup scan . --glob '*.md' --glob '!drafts/**'
  $ neardup scan --print-config               the settings in force (config file and flags)
  $ neardup scan corpus --shingle word:5 --metric jaccard --threshold 0.8
  $ neardup scan dump.jsonl.gz --text-field body --id-field meta.id
  $ git ls-files -z '*.md' | neardup scan --files-from - -0

Config file: .neardup.json (or a "neardup" key in package.json) in this folder or one above
it, up to the repository root; --config FILE names one, --no-config skips it. Its keys are
the long flags in camelCase: { "threshold": 0.8, "format": "sarif", "maxGroups": 2,
"paths": ["docs"] }. Flags win over it; every on/off flag has a --no- form (--no-stem,
--ignore, --no-exit-zero) to turn off what the file turns on.
${EXIT_HELP}`;

/** The options set on the command line itself (not defaults). */
function givenOptions(cmd: Command): Given {
  return new Set(Object.keys(cmd.opts()).filter((k) => cmd.getOptionValueSource(k) === 'cli'));
}

/** `--no-stem` and the like: hidden, to turn off what a config file turns on. */
function negations(cmd: Command, flags: readonly string[]): Command {
  for (const f of flags) cmd.addOption(new Option(f).hideHelp());
  return cmd;
}

function configOptions(cmd: Command): Command {
  return cmd
    .option('--config <file>', `read settings from this file (default: the nearest ${RUN_DEFAULTS.configFile} or package.json "neardup" key)`)
    .option('--no-config', 'read no config file')
    .option('--print-config', 'print the settings in force (defaults < config file < flags) as JSON, and exit');
}

/** The options that decide similarity, common to scan and compare. */
function similarityOptions(cmd: Command): Command {
  return cmd
    .option('--shingle <mode>', `shingles: char:N (letters only) or word:N (default: ${formatShingle(DEFAULTS.shingle)})`)
    .option('--metric <metric>', `jaccard, or containment (shared over the smaller document) (default: ${DEFAULTS.metric})`)
    .option('-t, --threshold <x>', `similarity from 0 to 1 at which documents count as near-duplicates (default: ${DEFAULTS.threshold})`)
    .option('--num-perm <n>', `MinHash signature length (default: ${DEFAULTS.numPerm})`)
    .option('--seed <n>', `hash seed (default: ${DEFAULTS.seed})`)
    .option('--stem', 'stem words (Porter, English) before shingling')
    .option('--stopwords', 'drop English stop words before shingling');
}

function outputOptions(cmd: Command, formats: readonly string[]): Command {
  return cmd
    .addOption(new Option('-f, --format <format>', `report format (default: ${RUN_DEFAULTS.format})`).choices(formats))
    .option('-o, --output <file>', 'write the report to this file (whole, at the end) instead of stdout')
    .addOption(new Option('--color <when>', `colour the text report (default: ${RUN_DEFAULTS.color})`).choices(COLOR_MODES));
}

const COMPARE_EXAMPLES = `
Examples:
  $ neardup compare seeds/000_241594d10820ed7f.txt seeds/001_8ed3a1ba6430ba1a.txt
  $ neardup compare a.txt b.html --context all         every shared passage in full
  $ neardup compare posts.jsonl:2 posts.jsonl:9        two records, named by the lines they start on
  $ neardup compare a.txt b.txt --format json | jq '.passages[] | select(.type != "shared")'

Passages: = shared (shown as A reads), - only in A, + only in B, ~ shared but found
elsewhere in B. Texts are aligned on their letters, as char shingles see them: case,
digits, punctuation and line breaks do not matter.

Similarity settings and colour also come from the config file (see scan --help).

Exit codes:
  0  not near-duplicates (or --exit-zero)
  1  near-duplicates under the metric and threshold
  2  error: bad options, or a file that could not be read`;

/** Builds the program; each handler receives its command's parsed options. */
export interface ProgramOutput {
  writeOut(s: string): void;
  writeErr(s: string): void;
}

export function buildProgram(handlers: Handlers, output: ProgramOutput): Command {
  const program = new Command('neardup')
    .description('Find near-duplicate documents: the same text in different clothes.')
    .version(VERSION, '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText('after', ROOT_EXAMPLES + EXIT_HELP)
    // Set before subcommands are added, so they inherit it: usage errors become exceptions
    // that main() maps to exit 2.
    .exitOverride()
    .configureOutput({
      ...output,
      // one style for every error line: `neardup: <problem>`
      outputError: (str, write) => write(`neardup: ${str.replace(/^error: /, '')}`),
    });

  const scan = program
    .command('scan')
    .description('scan files and folders for near-duplicate documents, grouped, with scores')
    .argument('[paths...]', 'files or folders to scan; - reads standard input (default: .)');
  similarityOptions(scan)
    .option('--bands <n>', 'LSH bands (default: chosen from the threshold)')
    .option('--rows <n>', 'LSH rows per band (default: chosen from the threshold)')
    .option('--hidden', 'include hidden files and folders')
    .option('--no-ignore', 'do not honour .gitignore, .ignore and .git/info/exclude')
    .option('-g, --glob <pattern>', "include files matching a glob; '!pattern' excludes (repeatable)", collect)
    .option('--max-filesize <size>', 'skip files larger than this, e.g. 500K, 10M (default: 100M)')
    .option('-L, --follow', 'follow symbolic links to folders')
    .option('-j, --threads <n>', 'threads for reading, sketching and verifying (the main one and n - 1 workers); 0 = one per core (default: 0)')
    .option('--memory <size>', `shingle sets kept in memory for verification; more go to a temporary file (default: ${DEFAULTS.memoryBudget / 1024 / 1024}M)`)
    .option('--text-field <name>', `record files: the field with the text; dots reach into objects, meta.body (default: ${DEFAULTS.textField})`)
    .option('--id-field <name>', 'record files: the field with the id (default: records are named path:line)')
    .addOption(
      new Option(
        '--records <mode>',
        `.jsonl/.ndjson/.json/.csv files: auto reads their records, off reads them as text (default: ${DEFAULTS.records})`,
      ).choices(RECORDS_MODES),
    )
    .addOption(new Option('--stdin-format <fmt>', `what '-' reads: one text, or JSONL records (default: ${DEFAULTS.stdinFormat})`).choices(STDIN_FORMATS))
    .option('--files-from <file>', 'also scan the paths listed in this file, one a line (- reads standard input)')
    .option('-0, --null', '--files-from entries are separated by NUL bytes (find -print0, git ls-files -z)')
    .option('--skip-errors', 'inputs that cannot be read are reported and counted, but do not make the exit code 2')
    .option('--no-progress', 'no progress bar (it is shown only when stderr is a terminal and not in CI)');
  outputOptions(scan, FORMATS)
    .option('--explain', `show how each reported pair aligns: its first passages (text, json and jsonl formats)`)
    .option('--passages <n>', `passages shown per pair by --explain (default: ${RUN_DEFAULTS.explainPassages})`)
    .option('--exit-zero', 'exit 0 even when near-duplicates are found')
    .option('--baseline <file>', 'accept the groups recorded in this file: report and fail only on new ones')
    .option('--update-baseline', `record the groups found in the --baseline file (default: ${RUN_DEFAULTS.baselineFile}) and exit 0`)
    .option('--max-groups <n>', `fail only when more than n groups (new ones, with --baseline) are found (default: ${RUN_DEFAULTS.maxGroups})`)
    .option(
      '--context <n>',
      `characters kept at each end of a long shared passage by --explain; 'all' keeps it whole (default: ${RUN_DEFAULTS.explainContext})`,
    );
  configOptions(scan);
  negations(scan, ['--no-stem', '--no-stopwords', '--no-hidden', '--ignore', '--no-follow', '--no-explain', '--no-exit-zero']);
  scan.addHelpText('after', SCAN_EXAMPLES).action(async (paths: string[], opts: Omit<ScanCommand, 'paths'>, self: Command) => {
    await handlers.scan({ ...opts, paths }, givenOptions(self));
  });

  const compare = program
    .command('compare')
    .description('compare two documents: their scores, then the passages they share and those found in only one, in reading order')
    .argument('<a>', 'the first document (A): a file, or a record as FILE:LINE (FILE:LINE:COLUMN in a JSON array)')
    .argument('<b>', 'the second document (B), the same way');
  similarityOptions(compare)
    .option('--max-filesize <size>', 'refuse files larger than this, e.g. 500K, 10M (default: 100M)')
    .option('--text-field <name>', `a record's field with the text; dots reach into objects, meta.body (default: ${DEFAULTS.textField})`);
  outputOptions(compare, COMPARE_FORMATS)
    .option('--passages <n>', 'show only the first n passages (default: all)')
    .option('--context <n>', `characters kept at each end of a long shared passage; 'all' keeps it whole (default: ${RUN_DEFAULTS.context})`)
    .option('--exit-zero', 'exit 0 even when the two are near-duplicates');
  configOptions(compare);
  negations(compare, ['--no-stem', '--no-stopwords', '--no-exit-zero']);
  compare.addHelpText('after', COMPARE_EXAMPLES).action(async (a: string, b: string, opts: Omit<CompareCommand, 'a' | 'b'>, self: Command) => {
    await handlers.compare({ ...opts, a, b }, givenOptions(self));
  });

  addIndexCommands(program, handlers);
  addDedupCommand(program, handlers);
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
export const ADD_SHARED = [
  'shingle',
  'metric',
  'threshold',
  'numPerm',
  'seed',
  'bands',
  'rows',
  'stem',
  'stopwords',
  'hidden',
  'ignore',
  'glob',
  'maxFilesize',
  'follow',
];

/** Scan options that index query does not take (see its help). */
const QUERY_UNUSED = ['threads', 'memory', 'textField', 'idField'];

/**
 * `neardup index ...` and `scan --db`. Options shared with scan are scan's own Option objects,
 * so their help text and defaults are defined once.
 */
function addIndexCommands(program: Command, handlers: Handlers): void {
  const scan = program.commands.find((c) => c.name() === 'scan')!;
  const shared = (names?: readonly string[]) => scan.options.filter((o) => (names ? names.includes(o.attributeName()) : !o.hidden));
  const dbOption = () => new Option('--db <file>', `the index file (default: ${INDEX_DEFAULTS.db})`);
  const formatOption = () => new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text');
  const indexAction =
    (action: IndexCommand['action']) =>
    async (...args: unknown[]) => {
      const command = args.at(-1) as Command;
      const opts = command.opts() as Omit<IndexCommand, 'action' | 'paths'>;
      const paths = Array.isArray(args[0]) ? (args[0] as string[]) : [];
      // --no-store-shingles: commander's default (true) must not count as a choice
      const storeShingles = command.getOptionValueSource('storeShingles') === 'cli' ? false : undefined;
      await handlers.index({ ...opts, storeShingles, action, paths }, givenOptions(command));
    };

  const index = program
    .command('index')
    .description('a persistent index: add documents over time, check new ones against everything indexed')
    .addHelpText('after', INDEX_EXAMPLES);

  const add = index
    .command('add')
    .description('sketch and store documents; unchanged files are skipped, changed ones replaced')
    .argument('<paths...>', 'files or folders to add');
  for (const o of shared([...ADD_SHARED, 'config'])) add.addOption(o);
  add
    .addOption(dbOption())
    .option('--prune', 'also remove entries whose files no longer exist')
    .option(
      '--batch-size <n>',
      `documents written per transaction (default: ${INDEX_DEFAULTS.batchSize}, ${INDEX_LIMITS.batchSize.min}-${INDEX_LIMITS.batchSize.max})`,
    )
    .option('--no-store-shingles', 'new index: keep no shingle sets (smaller; matches are verified by reading the indexed files again)')
    .addOption(formatOption())
    .addHelpText(
      'after',
      `
A new index records the settings it is built with; --metric and --threshold choose its LSH bands.
Adding to an existing index takes every setting not given from it, and refuses one that differs.
The config file's similarity and walk settings apply, as they do to index query and scan --db.`,
    )
    .action(indexAction('add'));

  const query = index
    .command('query')
    .description('report, for each given document, the indexed documents it near-duplicates (exit 1 when any)')
    .argument('[paths...]', "files or folders to check ('-' reads standard input)");
  // scan's options but those a query has no use for: it runs in one thread, with the sets it
  // verifies in memory, and takes documents, not records
  for (const o of shared()) if (!QUERY_UNUSED.includes(o.attributeName())) query.addOption(o);
  query.addOption(dbOption()).addHelpText(
    'after',
    `
Settings not given come from the index (metric and threshold included: what it was built for).
Shingles, permutations, seed, bands, rows, --stem and --stopwords given must match the index.
An indexed entry for one of the files given is left out: the file is compared as it is now.
${EXIT_HELP}`,
  );
  query.action(async (paths: string[], opts: Omit<ScanCommand, 'paths'>, self: Command) => {
    if (paths.length === 0 && opts.filesFrom === undefined) {
      throw new NearDupError('EUSAGE', "index query: name the documents to check (paths, '-' for standard input, or --files-from)");
    }
    await handlers.scan({ ...opts, paths, indexQuery: true }, givenOptions(self));
  });

  index
    .command('remove')
    .description('remove the entries of files, or of every file under folders (the files need not exist)')
    .argument('<paths...>', 'files or folders whose entries to remove')
    .addOption(dbOption())
    .addOption(formatOption())
    .action(indexAction('remove'));
  index
    .command('stats')
    .description('documents, settings, size on disk and schema version of an index')
    .addOption(dbOption())
    .addOption(formatOption())
    .action(indexAction('stats'));
  index
    .command('verify')
    .description('check an index for damage (exit 2 when anything is wrong)')
    .addOption(dbOption())
    .addOption(formatOption())
    .action(indexAction('verify'));

  scan.option('--db <file>', 'also compare with every document in this index (see neardup index --help)');
}

const DEDUP_EXAMPLES = `
Examples:
  $ neardup dedup docs --out clean                   one document per group, and every other, copied
  $ neardup dedup docs --out clean --dry-run         what would be kept and removed; nothing written
  $ neardup dedup docs --out clean --keep longest --manifest removed.jsonl
  $ neardup dedup docs --out clean --link            hard links instead of copies (same file system)
  $ neardup dedup dump.jsonl --out clean.jsonl --id-field id --manifest removed.jsonl
  $ neardup dedup docs --out clean --format json | jq '.removed[] | [.removed, .kept]'

Documents are copied into the --out folder at their path under the inputs' common folder (with
one input folder: at their path inside it). Records (.jsonl, .csv) are written, bytes unchanged
and in input order, to an --out ending in .jsonl, .ndjson or .csv (.gz to compress).
The output is built under a temporary name next to it and renamed into place when complete.

Exit codes:
  0  the output was written (whether or not anything was removed), or --dry-run
  2  error: bad options, a refused output (inside an input, not empty without --force, the
     wrong kind), or an input that could not be read (then nothing is written; --skip-errors
     writes the output without it and exits 0)`;

/** Scan's options that dedup takes as they are (the same Option objects: one help text, one default). */
const DEDUP_SHARED = [...ADD_SHARED, 'threads', 'memory', 'textField', 'idField', 'records', 'filesFrom', 'null', 'progress', 'color', 'config', 'printConfig'];

function addDedupCommand(program: Command, handlers: Handlers): void {
  const scan = program.commands.find((c) => c.name() === 'scan')!;
  const dedup = program
    .command('dedup')
    .description('write the corpus without its near-duplicates: one document per group, and every other; say what was removed and why')
    .argument('[paths...]', 'files or folders to deduplicate (default: .)')
    .option('--out <path>', 'the folder to write the kept documents into; for records, the .jsonl/.ndjson/.csv file (required)')
    .addOption(
      new Option('--keep <policy>', `which document of a group is kept; ties go to the first in path order (default: ${DEDUP_DEFAULTS.keep})`).choices(
        KEEP_POLICIES,
      ),
    )
    .option('--manifest <file>', 'write one JSON line per removed document: what it duplicates, its group and scores')
    .option('--link', 'hard-link the kept files instead of copying them (same file system only)')
    .option('--force', 'replace a non-empty --out folder or file (and --manifest)')
    .option('-n, --dry-run', 'report what would be kept and removed; write nothing')
    .addOption(new Option('-f, --format <format>', `report format on stdout (default: ${DEDUP_DEFAULTS.format})`).choices(DEDUP_FORMATS))
    .option('--skip-errors', 'write the output even though some inputs could not be read (they are left out, listed and counted)');
  for (const o of scan.options.filter((o) => DEDUP_SHARED.includes(o.attributeName()))) dedup.addOption(o);
  dedup.addHelpText('after', DEDUP_EXAMPLES).action(async (paths: string[], opts: Omit<DedupCommand, 'paths'>, self: Command) => {
    await handlers.dedup({ ...opts, paths }, givenOptions(self));
  });
}
