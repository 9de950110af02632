import { linkSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeBuffer, foldLineEndings, readTextFile } from '../src/corpus/read.js';

const decodeBytes = (buf: Uint8Array) => decodeBuffer(buf, Infinity);

import { type WalkEntry, type WalkOptions, walk } from '../src/corpus/walk.js';

let dir: string;
const defaults: WalkOptions = { hidden: false, respectIgnore: true, globs: [], follow: false };

function put(rel: string, content = 'text'): void {
  const p = path.join(dir, rel);
  mkdirSync(path.dirname(p), { recursive: true });
  writeFileSync(p, content);
}

function files(entries: Iterable<WalkEntry>): string[] {
  return [...entries].filter((e) => e.kind === 'file').map((e) => path.relative(dir, (e as { absPath: string }).absPath));
}

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'neardup-walk-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('walk', () => {
  it('walks folders recursively in sorted order and skips hidden entries', () => {
    put('b.txt');
    put('a/c.txt');
    put('.hidden.txt');
    put('.dot/d.txt');
    expect(files(walk([dir], defaults))).toEqual(['a/c.txt', 'b.txt']);
    expect(files(walk([dir], { ...defaults, hidden: true }))).toEqual(['.dot/d.txt', '.hidden.txt', 'a/c.txt', 'b.txt']);
  });

  it('shows and opens each file as path.join of the root given (normalised) and the names below it', () => {
    put('a/b/c.txt');
    put('d.txt');
    const rel = path.relative(process.cwd(), dir);
    for (const root of [dir, `${dir}/`, rel, `./${rel}//`, path.join(rel, 'a', '..')]) {
      const shown = path.normalize(root).replace(/\/$/, '');
      const got = [...walk([root], defaults)].map((e) => [e.path, (e as { absPath: string }).absPath]);
      expect(got).toEqual(['a/b/c.txt', 'd.txt'].map((f) => [path.join(shown, f), path.join(path.resolve(shown), f)]));
    }
  });

  it('honours .gitignore, .ignore (with negation) and .git/info/exclude; --no-ignore reads all', () => {
    put('.gitignore', '*.log\nbuild/\n');
    put('sub/.ignore', 'secret.txt\n!keep.log\n');
    put('.git/info/exclude', 'excluded.txt\n');
    put('a.txt');
    put('x.log');
    put('build/out.txt');
    put('sub/secret.txt');
    put('sub/keep.log');
    put('excluded.txt');
    expect(files(walk([dir], defaults))).toEqual(['a.txt', 'sub/keep.log']);
    expect(files(walk([dir], { ...defaults, respectIgnore: false }))).toEqual([
      'a.txt',
      'build/out.txt',
      'excluded.txt',
      'sub/keep.log',
      'sub/secret.txt',
      'x.log',
    ]);
  });

  it('applies ignore files from the enclosing git work tree when a subfolder is given', () => {
    mkdirSync(path.join(dir, '.git'));
    put('.gitignore', 'drafts/\n');
    put('docs/a.txt');
    put('docs/drafts/b.txt');
    expect(files(walk([path.join(dir, 'docs')], defaults))).toEqual(['docs/a.txt']);
  });

  it('selects with globs; ! excludes', () => {
    put('a.md');
    put('b.txt');
    put('notes/c.md');
    put('drafts/d.md');
    expect(files(walk([dir], { ...defaults, globs: ['*.md'] }))).toEqual(['a.md', 'drafts/d.md', 'notes/c.md']);
    expect(files(walk([dir], { ...defaults, globs: ['*.md', '!drafts/'] }))).toEqual(['a.md', 'notes/c.md']);
    expect(files(walk([dir], { ...defaults, globs: ['!*.txt'] }))).toEqual(['a.md', 'drafts/d.md', 'notes/c.md']);
  });

  it('always reads a file named explicitly, even hidden or ignored', () => {
    put('.gitignore', 'x.txt\n');
    put('x.txt');
    put('.h.txt');
    const got = [...walk([path.join(dir, 'x.txt'), path.join(dir, '.h.txt')], defaults)];
    expect(got.map((e) => e.kind)).toEqual(['file', 'file']);
    expect(got.every((e) => e.kind === 'file' && e.explicit)).toBe(true);
  });

  it('reports a missing path as an error and goes on', () => {
    put('a.txt');
    const got = [...walk([path.join(dir, 'nope'), dir], defaults)];
    expect(got[0]).toMatchObject({ kind: 'error', message: 'no such file or directory' });
    expect(files(got)).toEqual(['a.txt']);
  });

  it('reads a file given twice (or through a link) once', () => {
    put('a.txt');
    symlinkSync(path.join(dir, 'a.txt'), path.join(dir, 'link.txt'));
    const got = [...walk([dir, path.join(dir, 'a.txt')], defaults)];
    expect(files(got)).toEqual(['a.txt']);
    expect(got.filter((e) => e.kind === 'skip' && e.reason === 'duplicate-path')).toHaveLength(2);
  });

  it('reads a file with two names (hard links, a folder given twice) under one name, whatever the order of the paths', () => {
    put('one/x.txt', 'same file');
    mkdirSync(path.join(dir, 'two'));
    linkSync(path.join(dir, 'one', 'x.txt'), path.join(dir, 'two', 'a.txt'));
    symlinkSync(path.join(dir, 'one'), path.join(dir, 'alias'));
    const roots = [path.join(dir, 'two'), path.join(dir, 'one'), path.join(dir, 'alias')];
    const seen = (given: string[]) => {
      const got = [...walk(given, defaults)];
      return {
        files: files(got),
        skipped: got
          .filter((e) => e.kind === 'skip')
          .map((e) => `${path.relative(dir, e.path)}: ${(e as { detail: string }).detail}`)
          .sort(),
      };
    };
    const forward = seen(roots);
    // the first in byte order of the paths as shown: alias (a link to one) before one before two
    expect(forward.files).toEqual(['alias/x.txt']);
    expect(forward.skipped).toEqual(['one: folder already scanned', 'two/a.txt: already scanned under another path']);
    expect(seen([...roots].reverse())).toEqual(forward);
    expect(seen([roots[1]!, roots[2]!, roots[0]!])).toEqual(forward);
  });

  it('reads a file named explicitly as given, even when a folder given before it holds it', () => {
    put('d/notes.log', 'a file that only its explicit naming makes text');
    const file = path.join(dir, 'd', 'notes.log');
    for (const given of [
      [path.join(dir, 'd'), file],
      [file, path.join(dir, 'd')],
    ]) {
      const got = [...walk(given, defaults)];
      expect(got.filter((e) => e.kind === 'file')).toEqual([expect.objectContaining({ path: file, explicit: true })]);
      expect(got.filter((e) => e.kind === 'skip')).toEqual([expect.objectContaining({ path: file, reason: 'duplicate-path' })]);
    }
  });

  it('reports dangling links, and detects folder link loops when following', () => {
    put('d/a.txt');
    symlinkSync(path.join(dir, 'missing.txt'), path.join(dir, 'dangling.txt'));
    symlinkSync(dir, path.join(dir, 'd', 'loop'));
    const plain = [...walk([dir], defaults)];
    expect(plain.find((e) => e.kind === 'error')).toMatchObject({ message: expect.stringContaining('dangling') });
    expect(plain.find((e) => e.kind === 'skip')).toMatchObject({ reason: 'symlink-dir' });
    const followed = [...walk([dir], { ...defaults, follow: true })];
    expect(followed.filter((e) => e.kind === 'error').map((e) => (e as { message: string }).message)).toEqual([
      expect.stringContaining('loop'), // d/loop comes before dangling.txt in path order
      expect.stringContaining('dangling'),
    ]);
    expect(files(followed)).toEqual(['d/a.txt']);
  });
});

describe('read', () => {
  it('decodes UTF-8 with and without BOM, and UTF-16 LE/BE with BOM, alike', () => {
    const text = 'Grüße, 世界';
    const utf8 = Buffer.from(text, 'utf8');
    const bom8 = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), utf8]);
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    const be = Buffer.from(le);
    be.swap16();
    be[0] = 0xfe;
    be[1] = 0xff;
    for (const [buf, enc] of [
      [utf8, 'utf-8'],
      [bom8, 'utf-8'],
      [le, 'utf-16le'],
      [Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(text, 'utf16le').swap16()]), 'utf-16be'],
    ] as const) {
      expect(decodeBytes(buf)).toEqual({ ok: true, text, encoding: enc, bytes: buf.length });
    }
  });
  it('falls back to windows-1252 for invalid UTF-8, with a warning', () => {
    const r = decodeBytes(Buffer.from([0x63, 0x61, 0x66, 0xe9])); // "café" in latin-1
    expect(r).toEqual({ ok: true, text: 'café', encoding: 'windows-1252', bytes: 4, warning: 'not valid UTF-8; read as windows-1252' });
  });
  it('calls a file with a NUL byte binary', () => {
    expect(decodeBytes(Buffer.from([0x61, 0x00, 0x62]))).toMatchObject({ ok: false, skip: 'binary' });
  });
  it('folds CRLF and CR line endings', () => {
    expect(foldLineEndings('a\r\nb\rc\n')).toBe('a\nb\nc\n');
  });
  it('skips files over the size limit without reading them, and reports unreadable ones', () => {
    put('big.txt', 'x'.repeat(100));
    expect(readTextFile(path.join(dir, 'big.txt'), 100, 99)).toMatchObject({ ok: false, skip: 'too-large' });
    expect(readTextFile(path.join(dir, 'nope.txt'), 1, 99)).toMatchObject({ ok: false, error: 'cannot read: no such file or directory' });
  });
});

describe('walk: explicit roots', () => {
  it('scans a folder named explicitly even when a .gitignore above it ignores it', () => {
    mkdirSync(path.join(dir, '.git'));
    put('.gitignore', 'cache/\n');
    put('cache/a.txt');
    put('cache/.ignore', 'b.txt\n');
    put('cache/b.txt');
    expect(files(walk([dir], defaults))).toEqual([]);
    expect(files(walk([path.join(dir, 'cache')], defaults))).toEqual(['cache/a.txt']);
  });
});
