/**
 * Walk: turns the paths a user gave into the files to read, the way ripgrep and fd do.
 * - A file named explicitly is always read (hidden, ignored or not).
 * - Folders are walked recursively; hidden entries (names starting with `.`) are passed over
 *   unless `hidden`; `.git` is never entered.
 * - .gitignore, .ignore and .git/info/exclude are honoured (from the enclosing git work tree's
 *   top down), unless `respectIgnore` is false.
 * - Globs (gitignore syntax, relative to the root given; `!` excludes) choose files.
 * - Symbolic links to files are read; links to folders are entered only with `follow`, with
 *   loop detection. A file reached twice (the same path given twice, through a link, or a hard
 *   link) is read once, under the same name whatever the order the paths were given in.
 * This is the one module that imports `ignore`.
 */
import { isUtf8 } from 'node:buffer';
import { lstatSync, readdirSync, readFileSync, type Stats, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Ignore } from 'ignore';
import { describeError } from '../model/errors.js';
import type { FsPath } from '../model/types.js';

// `ignore` is CommonJS: required, not imported, so that Node does not scan its 50 KB source for
// its exports at every start (~8 ms, and as long again compiling the scanner)
const ignore = createRequire(import.meta.url)('ignore') as typeof import('ignore');

export interface WalkOptions {
  hidden: boolean;
  respectIgnore: boolean;
  globs: readonly string[];
  follow: boolean;
}

export type WalkEntry =
  | { kind: 'file'; path: string; pathBytes?: Buffer; absPath: FsPath; size: number; mtimeMs: number; explicit: boolean }
  | { kind: 'skip'; path: string; pathBytes?: Buffer; reason: 'duplicate-path' | 'symlink-dir' | 'special-file'; detail: string }
  | { kind: 'error'; path: string; pathBytes?: Buffer; message: string };

/**
 * A place in the walk: the path as shown, the path to open, and, when the path holds bytes that
 * are not UTF-8, both as byte-for-byte `latin1` strings (so that path.join works on them).
 */
interface Loc {
  display: string;
  abs: FsPath;
  bin?: { display: string; abs: string };
}

const latin1 = (s: string) => Buffer.from(s).toString('latin1');

function fromBin(bin: { display: string; abs: string }): Loc {
  return { display: Buffer.from(bin.display, 'latin1').toString('utf8'), abs: Buffer.from(bin.abs, 'latin1'), bin };
}

/**
 * path.join(dir, name) for a normalised folder and a name from readdir (never `.`, `..` or with
 * a separator): the same string, without path.join's parsing (a walk makes two a file).
 */
function joinName(dir: string, name: string): string {
  if (path.sep !== '/') return path.join(dir, name);
  if (dir === '.') return name;
  return dir.endsWith('/') ? dir + name : `${dir}/${name}`;
}

function childLoc(parent: Loc, name: Buffer): Loc {
  if (!parent.bin && isUtf8(name)) {
    const n = name.toString('utf8');
    return { display: joinName(parent.display, n), abs: joinName(parent.abs as string, n) };
  }
  const pb = parent.bin ?? { display: latin1(parent.display), abs: latin1(parent.abs as string) };
  const n = name.toString('latin1');
  return fromBin({ display: path.join(pb.display, n), abs: path.join(pb.abs, n) });
}

/** The fields that name a place in an entry. */
function named(loc: Loc): { path: string; pathBytes?: Buffer } {
  return loc.bin ? { path: loc.display, pathBytes: Buffer.from(loc.bin.display, 'latin1') } : { path: loc.display };
}

function joinFs(dir: FsPath, name: string): FsPath {
  return typeof dir === 'string' ? path.join(dir, name) : Buffer.concat([dir, Buffer.from(`/${name}`)]);
}

interface Matcher {
  base: string;
  ig: Ignore;
}

const IGNORE_FILES = ['.gitignore', '.ignore'];

function toPosix(p: string): string {
  return path.sep === '/' ? p : p.split(path.sep).join('/');
}

function readIgnoreFile(file: FsPath): Ignore | undefined {
  let content: string;
  try {
    content = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  return ignore({ allowRelativePaths: true }).add(content);
}

/** The ignore files in a folder; `base` is the folder as the matchers see it (lossy). */
function matchersIn(dir: FsPath, base: string): Matcher[] {
  const out: Matcher[] = [];
  for (const name of IGNORE_FILES) {
    const ig = readIgnoreFile(joinFs(dir, name));
    if (ig) out.push({ base, ig });
  }
  return out;
}

/** path.relative(base, p) for normalised absolute paths, without parsing when p is inside base. */
function relativeBelow(base: string, p: string): string {
  if (path.sep === '/' && p.length > base.length + 1 && p.startsWith(base) && p[base.length] === '/' && !base.endsWith('/')) return p.slice(base.length + 1);
  return path.relative(base, p);
}

function isIgnored(matchers: readonly Matcher[], absPath: string, isDir: boolean): boolean {
  let ignored = false;
  for (const { base, ig } of matchers) {
    let rel = toPosix(relativeBelow(base, absPath));
    if (rel === '' || rel.startsWith('..')) continue;
    if (isDir) rel += '/';
    const r = ig.test(rel);
    if (r.ignored) ignored = true;
    else if (r.unignored) ignored = false;
  }
  return ignored;
}

/** Ignore rules that apply to `root` from folders above it, up to its git work tree's top. */
function ancestorMatchers(root: string): Matcher[] {
  const chain: string[] = [];
  let dir = path.dirname(root);
  let top: string | undefined;
  for (;;) {
    chain.push(dir);
    if (existsQuiet(path.join(dir, '.git'))) {
      top = dir;
      break;
    }
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  if (!top) {
    // Not inside a git work tree: only the root's own ignore files apply (ripgrep's `.ignore`
    // convention included), which the walk picks up when it enters the root.
    return [];
  }
  const out: Matcher[] = [];
  const exclude = readIgnoreFile(path.join(top, '.git', 'info', 'exclude'));
  if (exclude) out.push({ base: top, ig: exclude });
  for (const d of chain.reverse()) out.push(...matchersIn(d, d));
  return out;
}

function existsQuiet(p: FsPath): boolean {
  try {
    lstatSync(p);
    return true;
  } catch {
    return false;
  }
}

/** --glob patterns, tested on a path relative to the root given (made only when there are patterns). */
class Globs {
  private readonly include: Ignore | undefined;
  private readonly exclude: Ignore | undefined;
  readonly none: boolean;
  constructor(globs: readonly string[]) {
    const pos = globs.filter((g) => !g.startsWith('!'));
    const neg = globs.filter((g) => g.startsWith('!')).map((g) => g.slice(1));
    this.include = pos.length ? ignore({ allowRelativePaths: true }).add(pos) : undefined;
    this.exclude = neg.length ? ignore({ allowRelativePaths: true }).add(neg) : undefined;
    this.none = globs.length === 0;
  }
  allowsDir(root: string, absPath: string): boolean {
    return this.none || !this.exclude?.ignores(`${relativePosix(root, absPath)}/`);
  }
  allowsFile(root: string, absPath: string): boolean {
    if (this.none) return true;
    const rel = relativePosix(root, absPath);
    if (this.exclude?.ignores(rel)) return false;
    return this.include ? this.include.ignores(rel) : true;
  }
}

function relativePosix(root: string, absPath: string): string {
  return toPosix(path.relative(root, absPath));
}

/** `./a//b/` -> `a/b`: the path as shown in reports (absolute paths stay absolute). */
function displayRoot(p: string): string {
  const n = path.normalize(p);
  return n.length > 1 && n.endsWith(path.sep) ? n.slice(0, -1) : n;
}

/** The display form of a root: `./a//b/` -> `a/b` (absolute paths stay absolute). */
function rootLoc(given: FsPath): Loc {
  if (typeof given === 'string') {
    const display = displayRoot(given);
    return { display, abs: path.resolve(display) };
  }
  const display = displayRoot(given.toString('latin1'));
  return fromBin({ display, abs: path.resolve(latin1(process.cwd()), display) });
}

/** The absolute path as the ignore matchers see it (lossy for names that are not UTF-8). */
function matchPath(loc: Loc): string {
  return typeof loc.abs === 'string' ? loc.abs : loc.abs.toString('utf8');
}

/** What a file's entry needs of its stat(). */
type FileStat = Pick<Stats, 'dev' | 'ino' | 'size' | 'mtimeMs'>;

/**
 * A root given, stat()ed: what the walk needs of it, not the Stats object (a --files-from list
 * may name a hundred thousand files).
 */
type Root = { loc: Loc } & ({ kind: 'error'; err: unknown } | ({ kind: 'file' | 'dir' | 'special' } & FileStat));

const ROOT_RANK = { error: 0, special: 0, file: 1, dir: 2 } as const;

/**
 * The roots, stat()ed, in an order of their own rather than the order given, so that which of
 * two names of one file is read (and which skipped as a duplicate path: hard links, a folder
 * given twice, once through a link) does not depend on the order the paths were given in:
 * paths that fail or are not files or folders first (they name nothing twice), then files named
 * explicitly (such a file is read whatever its name; met first inside a folder walk, it could
 * be skipped for its name), then folders; each in byte order of the path as shown.
 */
function rootsInOrder(roots: readonly FsPath[]): Root[] {
  const keyed = roots.map((given) => {
    const loc = rootLoc(given);
    let root: Root;
    try {
      const st = statSync(loc.abs);
      const kind = st.isFile() ? 'file' : st.isDirectory() ? 'dir' : 'special';
      root = { loc, kind, dev: st.dev, ino: st.ino, size: st.size, mtimeMs: st.mtimeMs };
    } catch (err) {
      root = { loc, kind: 'error', err };
    }
    return { root, key: loc.bin ? Buffer.from(loc.bin.display, 'latin1') : Buffer.from(loc.display) };
  });
  keyed.sort((a, b) => ROOT_RANK[a.root.kind] - ROOT_RANK[b.root.kind] || Buffer.compare(a.key, b.key));
  return keyed.map((k) => k.root);
}

export function* walk(roots: readonly FsPath[], options: WalkOptions): Generator<WalkEntry> {
  /** The folders given as roots so far, as "dev:ino". */
  const seenRoots = new Set<string>();
  /** The files found so far: their inode numbers, by device. */
  const seenFiles = new Map<number, Set<number>>();
  const globs = new Globs(options.globs);

  function fileEntry(loc: Loc, st: FileStat, explicit: boolean): WalkEntry {
    let inodes = seenFiles.get(st.dev);
    if (!inodes) seenFiles.set(st.dev, (inodes = new Set()));
    if (st.ino !== 0 && inodes.has(st.ino)) {
      return { kind: 'skip', ...named(loc), reason: 'duplicate-path', detail: 'already scanned under another path' };
    }
    inodes.add(st.ino);
    // (no spread of named(): this runs for every file)
    if (loc.bin) return { kind: 'file', ...named(loc), absPath: loc.abs, size: st.size, mtimeMs: st.mtimeMs, explicit };
    return { kind: 'file', path: loc.display, absPath: loc.abs, size: st.size, mtimeMs: st.mtimeMs, explicit };
  }

  /** What a folder's child is: an entry, a folder to walk (with its ancestors), or nothing (left out). */
  function visit(
    dir: Loc,
    nameBytes: Buffer,
    root: string,
    matchers: readonly Matcher[],
    ancestors: ReadonlySet<string>,
  ): WalkEntry | { kind: 'dir'; loc: Loc; ancestors: ReadonlySet<string> } | undefined {
    const name = nameBytes.toString('utf8');
    if (name === '.git') return undefined;
    if (!options.hidden && name.startsWith('.')) return undefined;
    const child = childLoc(dir, nameBytes);
    const childMatch = matchPath(child);
    let lst: Stats;
    try {
      lst = lstatSync(child.abs);
    } catch (err) {
      return { kind: 'error', ...named(child), message: describeError(err) };
    }
    let st = lst;
    if (lst.isSymbolicLink()) {
      try {
        st = statSync(child.abs);
      } catch (err) {
        const code = (err as { code?: string }).code;
        const message = code === 'ENOENT' ? 'dangling symbolic link (its target does not exist)' : `cannot follow symbolic link: ${describeError(err)}`;
        return { kind: 'error', ...named(child), message };
      }
    }
    if (st.isDirectory()) {
      if (options.respectIgnore && isIgnored(matchers, childMatch, true)) return undefined;
      if (!globs.allowsDir(root, childMatch)) return undefined;
      if (lst.isSymbolicLink() && !options.follow) {
        return { kind: 'skip', ...named(child), reason: 'symlink-dir', detail: 'symbolic link to a folder (use --follow)' };
      }
      const id = `${st.dev}:${st.ino}`;
      if (ancestors.has(id)) return { kind: 'error', ...named(child), message: 'symbolic link loop (links back to a folder above it)' };
      return { kind: 'dir', loc: child, ancestors: new Set([...ancestors, id]) };
    }
    if (st.isFile()) {
      if (options.respectIgnore && isIgnored(matchers, childMatch, false)) return undefined;
      if (!globs.allowsFile(root, childMatch)) return undefined;
      return fileEntry(child, st, false);
    }
    return { kind: 'skip', ...named(child), reason: 'special-file', detail: 'not a regular file (device, socket or pipe)' };
  }

  // (the work on each child is in visit(), a plain function: a generator is slow to optimise)
  function* walkDir(dir: Loc, root: string, inherited: readonly Matcher[], ancestors: ReadonlySet<string>): Generator<WalkEntry> {
    let names: Buffer[];
    try {
      names = readdirSync(dir.abs, { encoding: 'buffer' });
    } catch (err) {
      yield { kind: 'error', ...named(dir), message: `cannot read folder: ${describeError(err)}` };
      return;
    }
    names.sort(Buffer.compare);
    const dirMatch = matchPath(dir);
    const matchers: Matcher[] = options.respectIgnore ? [...inherited, ...matchersIn(dir.abs, dirMatch)] : [...inherited];
    if (options.respectIgnore && names.some((n) => n.length === 4 && n.toString() === '.git')) {
      const exclude = readIgnoreFile(joinFs(dir.abs, '.git/info/exclude'));
      if (exclude) matchers.push({ base: dirMatch, ig: exclude });
    }
    for (const nameBytes of names) {
      const v = visit(dir, nameBytes, root, matchers, ancestors);
      if (v === undefined) continue;
      if (v.kind === 'dir') yield* walkDir(v.loc, root, matchers, v.ancestors);
      else yield v;
    }
  }

  /** The roots that could not be stat()ed, by absolute path: one named twice fails once. */
  const failedRoots = new Set<string>();
  for (const root of rootsInOrder(roots)) {
    const { loc } = root;
    if (root.kind === 'error') {
      const failedKey = loc.bin ? `bytes:${loc.bin.abs}` : `path:${String(loc.abs)}`;
      if (failedRoots.has(failedKey)) {
        yield { kind: 'skip', ...named(loc), reason: 'duplicate-path', detail: 'given more than once (its error is counted once)' };
        continue;
      }
      failedRoots.add(failedKey);
      const code = (root.err as { code?: string }).code;
      let message = describeError(root.err);
      if (code === 'ENOENT' && existsQuiet(loc.abs)) message = 'dangling symbolic link (its target does not exist)';
      yield { kind: 'error', ...named(loc), message };
    } else if (root.kind === 'dir') {
      const id = `${root.dev}:${root.ino}`;
      if (seenRoots.has(id)) {
        yield { kind: 'skip', ...named(loc), reason: 'duplicate-path', detail: 'folder already scanned' };
        continue;
      }
      seenRoots.add(id);
      const abs = matchPath(loc);
      let inherited = options.respectIgnore ? ancestorMatchers(abs) : [];
      // A folder named explicitly is scanned even when rules above it ignore it (as ripgrep
      // does); only the ignore files inside it apply then.
      if (isIgnored(inherited, abs, true)) inherited = [];
      yield* walkDir(loc, abs, inherited, new Set([id]));
    } else if (root.kind === 'file') {
      yield fileEntry(loc, root, true);
    } else {
      yield { kind: 'skip', ...named(loc), reason: 'special-file', detail: 'not a regular file (device, socket or pipe)' };
    }
  }
}
