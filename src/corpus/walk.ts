/**
 * Walk: turns the paths a user gave into the files to read, the way ripgrep and fd do.
 * - A file named explicitly is always read (hidden, ignored or not).
 * - Folders are walked recursively; hidden entries (names starting with `.`) are passed over
 *   unless `hidden`; `.git` is never entered.
 * - .gitignore, .ignore and .git/info/exclude are honoured (from the enclosing git work tree's
 *   top down), unless `respectIgnore` is false.
 * - Globs (gitignore syntax, relative to the root given; `!` excludes) choose files.
 * - Symbolic links to files are read; links to folders are entered only with `follow`, with
 *   loop detection. A file reached twice (the same path given twice, or through a link) is read
 *   once.
 * This is the one module that imports `ignore`.
 */
import { lstatSync, readFileSync, readdirSync, statSync, type Stats } from 'node:fs';
import path from 'node:path';
import ignore, { type Ignore } from 'ignore';
import { describeError } from '../errors.js';

export interface WalkOptions {
  hidden: boolean;
  respectIgnore: boolean;
  globs: readonly string[];
  follow: boolean;
}

export type WalkEntry =
  | { kind: 'file'; path: string; absPath: string; size: number; mtimeMs: number; explicit: boolean }
  | { kind: 'skip'; path: string; reason: 'duplicate-path' | 'symlink-dir' | 'special-file'; detail: string }
  | { kind: 'error'; path: string; message: string };

interface Matcher {
  base: string;
  ig: Ignore;
}

const IGNORE_FILES = ['.gitignore', '.ignore'];

function toPosix(p: string): string {
  return path.sep === '/' ? p : p.split(path.sep).join('/');
}

function readIgnoreFile(file: string): Ignore | undefined {
  let content: string;
  try {
    content = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  return ignore({ allowRelativePaths: true }).add(content);
}

function matchersIn(dir: string): Matcher[] {
  const out: Matcher[] = [];
  for (const name of IGNORE_FILES) {
    const ig = readIgnoreFile(path.join(dir, name));
    if (ig) out.push({ base: dir, ig });
  }
  return out;
}

function isIgnored(matchers: readonly Matcher[], absPath: string, isDir: boolean): boolean {
  let ignored = false;
  for (const { base, ig } of matchers) {
    let rel = toPosix(path.relative(base, absPath));
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
  for (const d of chain.reverse()) out.push(...matchersIn(d));
  return out;
}

function existsQuiet(p: string): boolean {
  try {
    lstatSync(p);
    return true;
  } catch {
    return false;
  }
}

class Globs {
  private readonly include: Ignore | undefined;
  private readonly exclude: Ignore | undefined;
  constructor(globs: readonly string[]) {
    const pos = globs.filter((g) => !g.startsWith('!'));
    const neg = globs.filter((g) => g.startsWith('!')).map((g) => g.slice(1));
    this.include = pos.length ? ignore({ allowRelativePaths: true }).add(pos) : undefined;
    this.exclude = neg.length ? ignore({ allowRelativePaths: true }).add(neg) : undefined;
  }
  allowsDir(rel: string): boolean {
    return !this.exclude?.ignores(rel + '/');
  }
  allowsFile(rel: string): boolean {
    if (this.exclude?.ignores(rel)) return false;
    return this.include ? this.include.ignores(rel) : true;
  }
}

/** `./a//b/` -> `a/b`: the path as shown in reports (absolute paths stay absolute). */
function displayRoot(p: string): string {
  const n = path.normalize(p);
  return n.length > 1 && n.endsWith(path.sep) ? n.slice(0, -1) : n;
}

export function* walk(roots: readonly string[], options: WalkOptions): Generator<WalkEntry> {
  const seen = new Set<string>();
  const globs = new Globs(options.globs);

  function* fileEntry(display: string, abs: string, st: Stats, explicit: boolean): Generator<WalkEntry> {
    const id = `${st.dev}:${st.ino}`;
    if (st.ino !== 0 && seen.has(id)) {
      yield { kind: 'skip', path: display, reason: 'duplicate-path', detail: 'already scanned under another path' };
      return;
    }
    seen.add(id);
    yield { kind: 'file', path: display, absPath: abs, size: st.size, mtimeMs: st.mtimeMs, explicit };
  }

  function* walkDir(
    display: string,
    abs: string,
    root: string,
    inherited: readonly Matcher[],
    ancestors: ReadonlySet<string>,
  ): Generator<WalkEntry> {
    let names: string[];
    try {
      names = readdirSync(abs);
    } catch (err) {
      yield { kind: 'error', path: display, message: `cannot read folder: ${describeError(err)}` };
      return;
    }
    names.sort();
    const matchers: Matcher[] = options.respectIgnore ? [...inherited, ...matchersIn(abs)] : [...inherited];
    if (options.respectIgnore && names.includes('.git')) {
      const exclude = readIgnoreFile(path.join(abs, '.git', 'info', 'exclude'));
      if (exclude) matchers.push({ base: abs, ig: exclude });
    }
    for (const name of names) {
      if (name === '.git') continue;
      if (!options.hidden && name.startsWith('.')) continue;
      const childAbs = path.join(abs, name);
      const childDisplay = path.join(display, name);
      const rel = toPosix(path.relative(root, childAbs));
      let lst: Stats;
      try {
        lst = lstatSync(childAbs);
      } catch (err) {
        yield { kind: 'error', path: childDisplay, message: describeError(err) };
        continue;
      }
      let st = lst;
      if (lst.isSymbolicLink()) {
        try {
          st = statSync(childAbs);
        } catch (err) {
          const code = (err as { code?: string }).code;
          const message =
            code === 'ENOENT' ? 'dangling symbolic link (its target does not exist)' : `cannot follow symbolic link: ${describeError(err)}`;
          yield { kind: 'error', path: childDisplay, message };
          continue;
        }
      }
      if (st.isDirectory()) {
        if (options.respectIgnore && isIgnored(matchers, childAbs, true)) continue;
        if (!globs.allowsDir(rel)) continue;
        if (lst.isSymbolicLink() && !options.follow) {
          yield { kind: 'skip', path: childDisplay, reason: 'symlink-dir', detail: 'symbolic link to a folder (use --follow)' };
          continue;
        }
        const id = `${st.dev}:${st.ino}`;
        if (ancestors.has(id)) {
          yield { kind: 'error', path: childDisplay, message: 'symbolic link loop (links back to a folder above it)' };
          continue;
        }
        yield* walkDir(childDisplay, childAbs, root, matchers, new Set([...ancestors, id]));
      } else if (st.isFile()) {
        if (options.respectIgnore && isIgnored(matchers, childAbs, false)) continue;
        if (!globs.allowsFile(rel)) continue;
        yield* fileEntry(childDisplay, childAbs, st, false);
      } else {
        yield { kind: 'skip', path: childDisplay, reason: 'special-file', detail: 'not a regular file (device, socket or pipe)' };
      }
    }
  }

  for (const given of roots) {
    const root = displayRoot(given);
    const abs = path.resolve(root);
    let st: Stats;
    try {
      st = statSync(abs);
    } catch (err) {
      const code = (err as { code?: string }).code;
      let message = describeError(err);
      if (code === 'ENOENT' && existsQuiet(abs)) message = 'dangling symbolic link (its target does not exist)';
      yield { kind: 'error', path: root, message };
      continue;
    }
    if (st.isDirectory()) {
      const id = `${st.dev}:${st.ino}`;
      if (seen.has(`dir:${id}`)) {
        yield { kind: 'skip', path: root, reason: 'duplicate-path', detail: 'folder already scanned' };
        continue;
      }
      seen.add(`dir:${id}`);
      let inherited = options.respectIgnore ? ancestorMatchers(abs) : [];
      // A folder named explicitly is scanned even when rules above it ignore it (as ripgrep
      // does); only the ignore files inside it apply then.
      if (isIgnored(inherited, abs, true)) inherited = [];
      yield* walkDir(root, abs, abs, inherited, new Set([id]));
    } else if (st.isFile()) {
      yield* fileEntry(root, abs, st, true);
    } else {
      yield { kind: 'skip', path: root, reason: 'special-file', detail: 'not a regular file (device, socket or pipe)' };
    }
  }
}
