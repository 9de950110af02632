/**
 * End-to-end: inputs as users have them (records, gzip, stdin, lists of files, odd encodings and
 * names) and every kind of bad input, against the built binary. Each case checks the one-line
 * message naming the file (and line), that the scan goes on, the counts, and the exit code.
 */
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkfifo, ROOT, type RunResult, run, titled, unprivileged } from './helpers.js';

const ARTICLE = readFileSync(path.join(ROOT, 'fixtures', 'mixed', 'article.txt'), 'utf8');
const BREAD = readFileSync(path.join(ROOT, 'fixtures', 'mixed', 'bread.txt'), 'utf8');

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'neardup-inputs-'));
  chmodSync(dir, 0o755);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }), 120_000);

/** A fresh folder under the test's temp dir, with these files (string or bytes). */
function folder(name: string, files: Record<string, string | Buffer>): string {
  const d = path.join(dir, name);
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(d, rel)), { recursive: true });
    writeFileSync(path.join(d, rel), content);
  }
  mkdirSync(d, { recursive: true });
  return d;
}

interface Report {
  counts: Record<string, number>;
  groups: { members: { path: string; id?: string; source?: string; line?: number; pathBytes?: string }[] }[];
  pairs: { a: string; b: string }[];
  skipped: { path: string; reason: string; detail: string; line?: number; source?: string }[];
  errors: { path: string; message: string; line?: number; source?: string }[];
  warnings: { path: string; message: string; line?: number }[];
}

/** Runs a JSON scan; checks that stderr has only one-line `neardup:` messages (no stack trace). */
function scan(args: string[], opts: Parameters<typeof run>[1] = {}): RunResult & { report: Report; lines: string[] } {
  const r = run(['scan', '--format', 'json', ...args], { cwd: dir, ...opts });
  const lines = r.stderr === '' ? [] : r.stderr.replace(/\n$/, '').split('\n');
  for (const l of lines) expect(l).toMatch(/^neardup: /);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  return { ...r, report: JSON.parse(r.stdout) as Report, lines };
}

const groupPaths = (rep: Report) => rep.groups.map((g) => g.members.map((m) => m.path));

describe('bad input: a clear one-line message, the scan goes on, counted, exit 2 unless --skip-errors', () => {
  it('a path that does not exist', () => {
    const d = folder('missing', { 'a.txt': ARTICLE, 'b.txt': ARTICLE });
    const r = scan([d, path.join(d, 'nope.txt')]);
    expect(r.lines).toEqual([`neardup: ${path.join(d, 'nope.txt')}: no such file or directory`]);
    expect(r.report.counts.failed).toBe(1);
    expect(r.report.groups).toHaveLength(1);
    expect(r.code).toBe(2);
    const skipping = scan([d, path.join(d, 'nope.txt'), '--skip-errors']);
    expect(skipping.report.counts.failed).toBe(1);
    expect(skipping.code).toBe(1);
    expect(scan([path.join(d, 'a.txt'), path.join(d, 'nope.txt'), '--skip-errors']).code).toBe(0);
  });

  it('a directory symlink loop: an error with --follow, a counted skip without', () => {
    const d = folder('loop', { 'sub/a.txt': ARTICLE, 'b.txt': ARTICLE });
    symlinkSync('..', path.join(d, 'sub', 'up'));
    const followed = scan([d, '--follow']);
    expect(followed.lines).toEqual([`neardup: ${path.join(d, 'sub', 'up')}: symbolic link loop (links back to a folder above it)`]);
    expect(followed.report.groups).toHaveLength(1);
    expect(followed.code).toBe(2);
    const plain = scan([d]);
    expect(plain.report.skipped).toEqual([expect.objectContaining({ path: path.join(d, 'sub', 'up'), reason: 'symlink-dir' })]);
    expect(plain.code).toBe(1);
  });

  it('a dangling symlink, and a link to itself', () => {
    const d = folder('dangling', { 'a.txt': ARTICLE });
    symlinkSync(path.join(d, 'gone.txt'), path.join(d, 'dangling.txt'));
    symlinkSync('self.txt', path.join(d, 'self.txt'));
    const r = scan([d]);
    expect(r.lines).toEqual([
      `neardup: ${path.join(d, 'dangling.txt')}: dangling symbolic link (its target does not exist)`,
      `neardup: ${path.join(d, 'self.txt')}: cannot follow symbolic link: too many levels of symbolic links (symlink loop)`,
    ]);
    expect(r.report.counts).toMatchObject({ documents: 1, failed: 2 });
    expect(r.code).toBe(2);
  });

  it('binary, empty, punctuation-only and whitespace-only files and one over --max-filesize: skipped and counted, not errors', () => {
    const d = folder('skips', {
      'a.txt': ARTICLE,
      'b.txt': ARTICLE,
      'binary.txt': Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0x00, 0xff, 0x10]),
      'empty.txt': '',
      'punct.txt': '... !!! ??? --- *** ((( ))) 123 456\n',
      'space.txt': ' \n\t\r\n   \n',
      'big.txt': 'word '.repeat(5000),
    });
    const r = scan([d, '--max-filesize', '10K']);
    expect(r.lines).toEqual([]);
    const why = Object.fromEntries(r.report.skipped.map((s) => [path.basename(s.path), `${s.reason}: ${s.detail}`]));
    expect(why).toEqual({
      'big.txt': 'too-large: 25000 bytes is over --max-filesize 10240',
      'binary.txt': 'binary: binary file (NUL byte in the first 8 KiB)',
      'empty.txt': 'empty: empty file',
      'punct.txt': 'empty: no letters or words to compare',
      'space.txt': 'empty: no letters or words to compare',
    });
    expect(r.report.counts).toMatchObject({ files: 7, documents: 2, skipped: 5, failed: 0 });
    expect(r.code).toBe(1);
  });

  it('invalid UTF-8 and NUL bytes inside text: read (windows-1252 with a warning), compared', () => {
    const latin1 = Buffer.from(ARTICLE.replace(/e/g, 'é'), 'latin1');
    const nulInside = Buffer.concat([Buffer.from(ARTICLE.repeat(8)), Buffer.from([0, 0]), Buffer.from(ARTICLE)]);
    const d = folder('encodings', { 'utf8.txt': ARTICLE.replace(/e/g, 'é'), 'latin1.txt': latin1, 'nul.txt': nulInside });
    const r = scan([d]);
    expect(r.lines).toEqual([`neardup: warning: ${path.join(d, 'latin1.txt')}: not valid UTF-8; read as windows-1252`]);
    expect(r.report.warnings).toHaveLength(1);
    expect(r.report.pairs.find((p) => p.a.endsWith('latin1.txt') && p.b.endsWith('utf8.txt'))).toMatchObject({ jaccard: 1 });
    expect(r.report.counts).toMatchObject({ documents: 3, failed: 0, skipped: 0 });
    expect(r.code).toBe(1);
  });

  it('a JSONL file with a malformed line, a record without the text field, a text that is not a string, duplicate ids', () => {
    const rec = (o: object) => JSON.stringify(o);
    const d = folder('jsonl', {
      'data.jsonl': [
        rec({ id: 'a', text: ARTICLE }),
        rec({ id: 'b', text: BREAD }),
        '{"id": "c", "text": "unfinished',
        '',
        rec({ id: 'd', body: ARTICLE }),
        rec({ id: 'e', text: 42 }),
        rec({ id: 'a', text: `${ARTICLE} An edit.` }),
        '[1, 2]',
      ].join('\n'),
    });
    const f = path.join(d, 'data.jsonl');
    const r = scan([d, '--id-field', 'id']);
    expect(r.lines).toEqual([
      `neardup: ${f}:3: invalid JSON: Unterminated string in JSON at position 31`,
      `neardup: ${f}:5: no field 'text' (it has id, body; see --text-field)`,
      `neardup: ${f}:6: field 'text' is a number, not a string`,
      `neardup: warning: ${f}:7: duplicate id 'a' (first at ${f}:1); both are compared`,
      `neardup: ${f}:8: not a JSON object (an array)`,
    ]);
    expect(r.report.errors.map((e) => [e.source, e.line])).toEqual([
      [f, 3],
      [f, 5],
      [f, 6],
      [f, 8],
    ]);
    expect(r.report.groups[0]!.members).toEqual([
      expect.objectContaining({ path: `${f}:1`, id: 'a', source: f, line: 1 }),
      expect.objectContaining({ path: `${f}:7`, id: 'a', source: f, line: 7 }),
    ]);
    expect(r.report.counts).toMatchObject({ files: 1, documents: 3, failed: 4 });
    expect(r.code).toBe(2);
    expect(scan([d, '--skip-errors']).code).toBe(1);
  });

  it('a CSV with quoted newlines, doubled quotes and CRLF; bad rows named by their line', () => {
    const q = (s: string) => `"${s.replace(/"/g, '""')}"`;
    const d = folder('csv', {
      'data.csv': [
        'id,title,text',
        `1,First,${q(ARTICLE)}`,
        `2,"Bread, ""quoted""",${q(BREAD)}`,
        '3,Too,many,fields',
        `4,Copy,${q(`${ARTICLE}\nwith one more line`)}`,
        '5,Short,"unclosed',
      ].join('\r\n'),
    });
    const f = path.join(d, 'data.csv');
    const r = scan([d, '--id-field', 'id']);
    const articleLines = ARTICLE.split('\n').length;
    const line3 = 2 + articleLines + BREAD.split('\n').length; // the header, record 1, record 2
    expect(r.lines).toEqual([
      `neardup: ${f}:${line3}: invalid CSV: 4 fields, the header has 3`,
      `neardup: ${f}:${line3 + 2 + articleLines}: invalid CSV: a quoted field is not closed before the end of the file`,
    ]);
    expect(r.report.groups[0]!.members.map((m) => [m.id, m.line])).toEqual([
      ['1', 2],
      ['4', line3 + 1],
    ]);
    expect(r.code).toBe(2);
  });

  it('a truncated .gz file: one-line error, the records before the damage still compared', () => {
    const lines = Array.from({ length: 200 }, (_, i) => JSON.stringify({ text: `${i} ${i % 2 ? ARTICLE : BREAD}` })).join('\n');
    const gz = gzipSync(lines);
    const d = folder('gz', {
      'cut.jsonl.gz': gz.subarray(0, gz.length >> 1),
      'cut.txt.gz': gzipSync(ARTICLE).subarray(0, 200),
      'whole.txt.gz': gzipSync(ARTICLE),
    });
    const r = scan([d]);
    expect(r.lines).toEqual([`neardup: ${path.join(d, 'cut.jsonl.gz')}: truncated gzip data`, `neardup: ${path.join(d, 'cut.txt.gz')}: truncated gzip data`]);
    expect(r.report.counts.documents).toBeGreaterThan(10);
    expect(r.report.groups.some((g) => g.members.some((m) => m.path.endsWith('whole.txt.gz')))).toBe(true);
    expect(r.code).toBe(2);
  });

  it('a path given twice, and through a link: scanned once', () => {
    const d = folder('twice', { 'a.txt': ARTICLE, 'b.txt': ARTICLE });
    symlinkSync(path.join(d, 'a.txt'), path.join(d, 'link.txt'));
    const r = scan([d, path.join(d, 'a.txt'), d]);
    expect(r.report.counts).toMatchObject({ documents: 2, failed: 0 });
    expect(r.report.skipped.map((s) => s.reason)).toEqual(['duplicate-path', 'duplicate-path', 'duplicate-path']);
    expect(r.code).toBe(1);
  });

  it('file names with spaces, newlines and bytes that are not UTF-8: opened, and named faithfully in JSON', () => {
    const d = folder('names', {});
    const names = [Buffer.from('with space.txt'), Buffer.from('new\nline.txt'), Buffer.from([0x62, 0x61, 0x64, 0xff, 0xfe, 0x2e, 0x74, 0x78, 0x74])];
    for (const n of names) writeFileSync(Buffer.concat([Buffer.from(`${d}/`), n]), ARTICLE);
    writeFileSync(Buffer.concat([Buffer.from(`${d}/`), Buffer.from([0x62, 0x61, 0x64, 0xff, 0x2e, 0x62, 0x69, 0x6e])]), Buffer.from([0, 1, 2]));
    const r = scan([d]);
    const members = r.report.groups[0]!.members;
    expect(members.map((m) => m.path)).toEqual([`${d}/bad\ufffd\ufffd.txt`, `${d}/new\nline.txt`, `${d}/with space.txt`]);
    expect(Buffer.from(members[0]!.pathBytes!, 'base64')).toEqual(Buffer.concat([Buffer.from(`${d}/`), names[2]!]));
    expect(members[1]!.pathBytes).toBeUndefined();
    expect(r.report.skipped).toEqual([expect.objectContaining({ path: `${d}/bad\ufffd.bin`, reason: 'unsupported-type', pathBytes: expect.any(String) })]);
    // a newline in a name stays on one line of stderr
    rmSync(path.join(d, 'with space.txt'));
    symlinkSync(path.join(d, 'gone'), path.join(d, 'dangling\nlink.txt'));
    expect(scan([d]).lines).toEqual([`neardup: ${d}/dangling\\nlink.txt: dangling symbolic link (its target does not exist)`]);
  });

  const other = unprivileged();
  it.skipIf(other.skip !== undefined)(titled('a file without read permission (run as an unprivileged user when root)', other.skip), () => {
    const d = folder('perm', { 'a.txt': ARTICLE, 'b.jsonl': `${JSON.stringify({ text: ARTICLE })}\n`, 'locked.jsonl': '{"text": "secret"}\n' });
    chmodSync(path.join(d, 'locked.jsonl'), 0o000);
    const r = scan([d], { wrap: other.wrap, cwd: d });
    expect(r.lines).toEqual([`neardup: ${path.join(d, 'locked.jsonl')}: cannot read: permission denied`]);
    expect(r.report.counts).toMatchObject({ documents: 2, failed: 1 });
    expect(r.code).toBe(2);
  });
});

describe('record inputs', () => {
  it('JSONL, a JSON array and CSV: nested text fields, ids, reports name file, line and id', () => {
    const d = folder('records', {
      'a.ndjson': `${JSON.stringify({ meta: { body: ARTICLE, id: 7 } })}\n`,
      'b.json': `[\n  ${JSON.stringify({ meta: { body: BREAD, id: 'x' } })},\n  ${JSON.stringify({ meta: { body: ARTICLE, id: 'y' } })}\n]\n`,
      'c.csv': `meta.id,meta.body\nz,"${BREAD}"\n`,
    });
    const r = scan([d, '--text-field', 'meta.body', '--id-field', 'meta.id']);
    expect(r.lines).toEqual([]);
    expect(r.report.groups.map((g) => g.members.map((m) => `${m.path} ${m.id}`))).toEqual([
      [`${d}/a.ndjson:1 7`, `${d}/b.json:3:3 y`],
      [`${d}/b.json:2:3 x`, `${d}/c.csv:2 z`],
    ]);
    // --records off: the same files are plain text
    const off = scan([d, '--records', 'off']);
    expect(off.report.counts.documents).toBe(3);
    expect(off.report.groups.flatMap((g) => g.members.map((m) => m.path))).not.toContain(`${d}/a.ndjson:1`);
  });

  it('a JSON file that is not an array: skipped in a folder walk, an error when named', () => {
    const d = folder('notarray', { 'config.json': '{"name": "x"}', 'a.txt': ARTICLE });
    const walked = scan([d]);
    expect(walked.report.skipped).toEqual([expect.objectContaining({ reason: 'unsupported-type', detail: 'not a JSON array of records' })]);
    expect(walked.code).toBe(0);
    const named = scan([path.join(d, 'config.json')]);
    expect(named.lines).toEqual([`neardup: ${path.join(d, 'config.json')}: not a JSON array of records (use --records off to read it as text)`]);
    expect(named.code).toBe(2);
  });

  it('record files that hold no record are skipped as empty, walked or named (they were passed over silently, or failed)', () => {
    const d = folder('empty-records', { 'a.jsonl': '', 'b.json': '', 'c.csv': '', 'd.json': '[]\n', 'e.csv': 'id,text\n', 'f.jsonl': '\n\n' });
    const walked = scan([d]);
    expect(walked.report.skipped.map((x) => [path.basename(x.path), x.reason, x.detail])).toEqual(
      ['a.jsonl', 'b.json', 'c.csv', 'd.json', 'e.csv', 'f.jsonl'].map((f) => [f, 'empty', 'no records']),
    );
    expect(walked.code).toBe(0);
    const named = scan(['a.jsonl', 'b.json', 'c.csv', 'd.json'].map((f) => path.join(d, f)));
    expect(named.report.skipped.map((x) => x.reason)).toEqual(['empty', 'empty', 'empty', 'empty']);
    expect(named.report.errors).toEqual([]);
    expect(named.code).toBe(0);
  });

  it('standard input: one document, or JSONL records', () => {
    const d = folder('stdin', { 'a.txt': ARTICLE });
    const text = scan(['-', path.join(d, 'a.txt')], { input: ARTICLE });
    expect(groupPaths(text.report)).toEqual([[path.join(d, 'a.txt'), '<stdin>']]);
    // --explain aligns standard input too (there is no file to read again: the scan kept its bytes)
    const explained = run(['scan', '-', path.join(d, 'a.txt'), '--explain', '--format', 'json'], { cwd: dir, input: `${ARTICLE}\nOne more line.` });
    expect(explained.stderr).toBe('');
    type Explained = { groups: { pairs: { b: string; alignment?: { coverage: { a: number; b: number }; passages: { type: string }[] } }[] }[] };
    const pair = (JSON.parse(explained.stdout) as Explained).groups[0]!.pairs[0]!;
    expect(pair.b).toBe('<stdin>');
    expect(pair.alignment!.coverage.a).toBe(1);
    expect(pair.alignment!.passages.map((p) => p.type)).toContain('shared');
    const jsonl = [BREAD, ARTICLE, BREAD].map((t, i) => JSON.stringify({ n: i, text: t })).join('\n');
    const records = scan(['-', '--stdin-format', 'jsonl', '--id-field', 'n'], { input: jsonl });
    expect(records.report.groups[0]!.members.map((m) => [m.path, m.id])).toEqual([
      ['<stdin>:1', '0'],
      ['<stdin>:3', '2'],
    ]);
  });

  it('--files-from FILE and -, newline- or NUL-separated', () => {
    const d = folder('list', { 'a b.txt': ARTICLE, 'c.txt': ARTICLE, 'd.txt': BREAD });
    writeFileSync(path.join(d, 'list.txt'), `${d}/a b.txt\r\n\n${d}/c.txt\n${d}/missing.txt\n`);
    const fromFile = scan(['--files-from', path.join(d, 'list.txt')]);
    expect(groupPaths(fromFile.report)).toEqual([[`${d}/a b.txt`, `${d}/c.txt`]]);
    expect(fromFile.lines).toEqual([`neardup: ${d}/missing.txt: no such file or directory`]);
    const fromStdin = scan(['--files-from', '-', '-0'], { input: `${d}/a b.txt\0${d}/c.txt\0${d}/d.txt\0` });
    expect(fromStdin.report.counts.documents).toBe(3);
    expect(fromStdin.code).toBe(1);
    const missing = run(['scan', '--files-from', path.join(d, 'nope.txt')]);
    expect(missing.stderr).toBe(`neardup: ${path.join(d, 'nope.txt')}: cannot read the --files-from list: no such file or directory\n`);
    expect(missing.code).toBe(2);
  });

  it('UTF-16 files with a BOM, UTF-8 with a BOM, CRLF and lone CR: the same document', () => {
    const utf16le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(ARTICLE.replace(/\n/g, '\r\n'), 'utf16le')]);
    const utf16be = Buffer.from(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(ARTICLE, 'utf16le')])).swap16();
    const d = folder('utf16', {
      'le.txt': utf16le,
      'be.txt': utf16be,
      'bom.txt': Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(ARTICLE.replace(/\n/g, '\r'))]),
      'plain.txt': ARTICLE,
      'records.jsonl': Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`${JSON.stringify({ text: ARTICLE })}\r\n`, 'utf16le')]),
    });
    const r = scan([d]);
    expect(r.lines).toEqual([]);
    expect(r.report.groups).toHaveLength(1);
    expect(r.report.groups[0]!.members).toHaveLength(5);
    expect(r.report.pairs.every((p) => (p as unknown as { jaccard: number }).jaccard === 1)).toBe(true);
  });
});

describe('records: determinism', () => {
  it('--threads 1 and 2, and a tight --memory budget, give identical JSON for JSONL and CSV', () => {
    const texts = [ARTICLE, BREAD, `${ARTICLE} Edited.`, `${BREAD}\nAnother line.`, 'Unrelated words about a river and a boat.'];
    const jsonl = Array.from({ length: 300 }, (_, i) => JSON.stringify({ id: i, text: `${texts[i % 5]} ${i % 3 ? '' : 'note'}` })).join('\n');
    const csv = ['id,text', ...Array.from({ length: 100 }, (_, i) => `${i},"${texts[(i * 7) % 5]!.replace(/"/g, '""')}"`)].join('\n');
    const d = folder('determinism', { 'a.jsonl': jsonl, 'b.csv': csv, 'c.json': JSON.stringify(texts.map((text) => ({ text }))) });
    const one = scan([d, '--threads', '1']);
    const two = scan([d, '--threads', '2']);
    const tight = scan([d, '--threads', '2', '--memory', '96K']); // sets are read again: JSONL lines from their place, CSV and JSON re-streamed
    expect(one.report.counts.documents).toBe(405);
    expect(two.stdout).toBe(one.stdout);
    expect(tight.stdout).toBe(one.stdout);
    expect(one.code).toBe(1);
  });
});

it('special files (a FIFO) are skipped and counted, walked or named', () => {
  const d = folder('odd', { 'a.txt': ARTICLE });
  mkfifo(path.join(d, 'fifo.txt'));
  const r = scan([d, path.join(d, 'fifo.txt')]);
  expect(r.report.skipped.map((s) => s.reason)).toEqual(['special-file', 'special-file']);
  expect(r.code).toBe(0);
});

it('a special file is named in the singular when there is one, in the text summary', () => {
  const d = folder('one-odd', { 'a.txt': ARTICLE });
  mkfifo(path.join(d, 'fifo.txt'));
  const one = run(['scan', d], { cwd: dir });
  expect(one.stdout).toMatch(/· 1 skipped \(1 special file\) ·/);
  mkfifo(path.join(d, 'fifo2.txt'));
  expect(run(['scan', d], { cwd: dir }).stdout).toMatch(/· 2 skipped \(2 special files\) ·/);
});

describe('a path given twice', () => {
  it('that fails: one error, the second mention a listed-twice skip, whatever the order', () => {
    const d = folder('twice-missing', { 'a.txt': ARTICLE });
    const missing = path.join(d, 'nope.txt');
    const r = scan([missing, d, missing]);
    expect(r.lines).toEqual([`neardup: ${missing}: no such file or directory`]);
    expect(r.report.counts.failed).toBe(1);
    expect(r.report.errors.map((e) => e.path)).toEqual([missing]);
    expect(r.report.skipped.map((s) => [s.path, s.reason])).toEqual([[missing, 'duplicate-path']]);
    expect(r.code).toBe(2);
    expect(scan([d, missing, missing]).stdout).toBe(r.stdout);
  });

  it("'-' given twice: standard input is read once, the second counted as a skip", () => {
    const r = scan(['-', '-'], { input: ARTICLE });
    expect(r.report.counts.documents).toBe(1);
    expect(r.report.counts.files).toBe(2);
    expect(r.report.skipped.map((s) => [s.path, s.reason])).toEqual([['<stdin>', 'duplicate-path']]);
    expect(r.code).toBe(0);
  });
});
