/** The report formats as functions: escaping, caps, ordering, and SARIF against its schema. */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { groupFingerprint } from '../src/baseline/baseline.js';
import { findNearDuplicates } from '../src/engine/scan.js';
import { RowKernel } from '../src/kernels/json.js';
import type { DocumentInfo, Group, ScanResult } from '../src/model/types.js';
import { resolveOptions } from '../src/options/scan.js';
import type { ReportContext, Writer } from '../src/report/context.js';
import { csvField, renderCsv } from '../src/report/csv.js';
import { scoreRange, shellQuote } from '../src/report/format.js';
import { escapeData, escapeProperty, GITHUB_ANNOTATION_CAP, renderGithub } from '../src/report/github.js';
import { buildJsonReport, jsonReportBytes, renderJson, writeJsonReport } from '../src/report/json.js';
import { mdCode, renderMarkdown } from '../src/report/markdown.js';
import { REPORTERS } from '../src/report/registry.js';
import { buildSarif, SARIF_FINGERPRINT_KEY } from '../src/report/sarif.js';
import { ROOT } from './helpers.js';
import { sarifErrors } from './sarif-schema.js';

const ctx: ReportContext = { colorLevel: 0, cwd: ROOT, root: ROOT };

/** A result with `n` two-member groups (documents doc-000.txt, doc-001.txt, ...). */
function fakeResult(n: number, extra: Partial<ScanResult> = {}): ScanResult {
  const documents: DocumentInfo[] = [];
  const groups: Group[] = [];
  for (let g = 0; g < n; g++) {
    for (const k of [0, 1]) {
      const i = documents.length;
      documents.push({
        index: i,
        path: `docs/doc-${String(i).padStart(3, '0')}.txt`,
        kind: 'text',
        encoding: 'utf-8',
        bytes: 100,
        chars: 100,
        units: 80,
        shingles: 72,
        contentHash: (g * 2 + k).toString(16).padStart(16, '0'),
      });
    }
    const pair = { a: 2 * g, b: 2 * g + 1, jaccard: 0.9, containment: 0.95 };
    groups.push({ id: g + 1, members: [2 * g, 2 * g + 1], pairs: [pair] });
  }
  return {
    settings: resolveOptions(),
    documents,
    groups,
    pairs: groups.flatMap((g) => g.pairs),
    skipped: [],
    errors: [],
    warnings: [],
    stats: { files: 2 * n, documents: 2 * n, skipped: 0, failed: 0, short: 0, candidates: n, verified: n, groups: n, duplicateDocuments: 2 * n, pairs: n },
    elapsedMs: 1,
    timings: { walk: 0, load: 0, candidates: 0, verify: 0, group: 0 },
    ...extra,
  };
}

describe('JSON', () => {
  /** What the report is defined as: the report's objects, stringified. */
  const reference = (r: ScanResult, c: Parameters<typeof buildJsonReport>[1] = {}) => `${JSON.stringify(buildJsonReport(r, c), null, 2)}\n`;

  it('writes exactly the bytes of JSON.stringify of the report, whatever the shapes of its members and pairs', async () => {
    const odd: DocumentInfo = {
      index: 0,
      path: 'data/rec "1".jsonl:3',
      source: 'data/rec "1".jsonl',
      line: 3,
      id: 'ünï\u2028cödé',
      kind: 'text',
      encoding: 'utf-8',
      bytes: 7,
      chars: 7,
      units: 5,
      shingles: 3,
      contentHash: '0123456789abcdef',
    };
    const named: DocumentInfo = {
      ...odd,
      index: 1,
      path: 'bad\ufffdname.txt',
      pathBytes: 'YmFk/25hbWUudHh0',
      id: undefined,
      source: undefined,
      line: undefined,
    };
    delete named.id;
    delete named.source;
    delete named.line;
    const pair = { a: 0, b: 1, jaccard: 1 / 3, containment: 2 / 3 };
    const mixed = fakeResult(3, {
      skipped: [{ path: 'x.bin', reason: 'binary', detail: 'binary file (NUL byte in the first 8 KiB)' }],
      errors: [{ path: 'gone.txt', message: 'cannot read' }],
      warnings: [{ path: 'w.txt', source: 'w.jsonl', line: 2, message: 'not valid UTF-8; read as windows-1252' }],
    });
    mixed.documents.push({ ...odd, index: 6 }, { ...named, index: 7 });
    mixed.groups.push({ id: 4, members: [6, 7], pairs: [{ ...pair, a: 6, b: 7 }] });
    mixed.pairs.push({ ...pair, a: 6, b: 7 });
    const results: ScanResult[] = [
      fakeResult(0),
      fakeResult(1),
      mixed,
      fakeResult(2, { pairs: [{ a: 0, b: 1, jaccard: 0.99995, containment: 1e-7 }] }),
      await findNearDuplicates([path.join(ROOT, 'fixtures', 'mixed')]),
      await findNearDuplicates([path.join(ROOT, 'fixtures', 'copies')]),
      await findNearDuplicates([path.join(ROOT, 'fixtures', 'dedup', 'records')]),
    ];
    for (const r of results) {
      expect(renderJson(r)).toBe(reference(r));
      const baseline = { baseline: { file: 'b.json', known: 1, new: 2, absent: 0, updated: false } };
      expect(renderJson(r, baseline)).toBe(reference(r, baseline));
      const explain = { explain: () => ({ error: 'changed since the scan' }) as never, passages: 2 };
      expect(renderJson(r, explain)).toBe(reference(r, explain));
      // the pieces are whole UTF-8 each (a member's bytes are never split)
      const pieces = jsonReportBytes(r);
      expect(pieces.map((p) => Buffer.from(p).toString('utf8')).join('')).toBe(reference(r));
      // and the same without the WebAssembly kernel (as under node --jitless)
      expect(Buffer.concat(jsonReportBytes(r, {}, { useWasm: false })).toString('utf8')).toBe(reference(r));
    }
    expect(results[6]!.documents.some((d) => d.id !== undefined)).toBe(true);
  });

  it('writes members and pairs with its kernel as JSON.stringify does: every score, any path, long lists, numbers past 32 bits', () => {
    // one group of 150 members and 10,001 pairs, the k-th scored k / 10000 (and 1 - that); some
    // paths not ASCII, one long (a pair of it is more than the kernel's usual out buffer)
    expect(RowKernel.open(['"a"'], [[{ text: 'x' }]])).not.toBeNull();
    const n = 150;
    const r = fakeResult(0);
    for (let i = 0; i < n; i++) {
      const name = i % 7 === 0 ? `dös/“${i}”\u2028\\.txt` : i === n - 2 ? `long/${'x'.repeat(140000)}.txt` : `docs/${i}.txt`;
      r.documents.push({ ...fakeResult(1).documents[0]!, index: i, path: name, bytes: i === 3 ? 2 ** 32 - 1 : 1000 + i, chars: i, shingles: 0 });
    }
    const pairs = [];
    for (let k = 0; k <= 10000; k++) {
      const a = k % n;
      const b = (a + 1 + (k % (n - 1))) % n;
      pairs.push({
        a,
        b,
        jaccard: k / 10000,
        containment: Math.min(1, Math.max(0, (10000 - k) / 10000 + (k % 3 === 0 ? 0.00004 : k % 3 === 1 ? -0.00004 : 0))),
      });
    }
    pairs.push({ a: 1, b: 2, jaccard: 0.00005, containment: 0.99995 }, { a: 1, b: 2, jaccard: 1 / 3, containment: 2 / 3 });
    r.groups.push({ id: 1, members: [...Array(n).keys()], pairs });
    r.pairs = pairs;
    const kernel = renderJson(r);
    expect(kernel).toBe(reference(r));
    expect(Buffer.concat(jsonReportBytes(r, {}, { useWasm: false })).toString('utf8')).toBe(kernel);
    for (let k = 0; k <= 10000; k += 1237) expect(kernel).toContain(`"jaccard": ${k / 10000},`);
    // what the kernel does not take is written in JavaScript: a size past 32 bits, a score over 1
    const odd = structuredClone(r);
    odd.documents[4]!.bytes = 2 ** 32;
    odd.groups[0]!.pairs[0]!.containment = 1.5;
    odd.pairs[0]!.containment = 1.5;
    expect(renderJson(odd)).toBe(reference(odd));
    expect(renderJson(odd)).toContain('"bytes": 4294967296,');
    // a pair naming a document in no group (not so in a scan's result) is written all the same
    const loose = structuredClone(r);
    loose.documents.push({ ...r.documents[1]!, index: n, path: 'loose/one.txt' });
    loose.pairs.push({ a: 0, b: n, jaccard: 0.5, containment: 0.7 });
    expect(renderJson(loose)).toBe(reference(loose));
  });

  it('is pieces of about a megabyte for a large report', () => {
    const r = fakeResult(5000);
    const pieces = jsonReportBytes(r);
    expect(pieces.length).toBeGreaterThan(1);
    for (const p of pieces.slice(0, -1)) expect(p.length).toBeGreaterThan(1000000);
    expect(Buffer.concat(pieces).toString('utf8')).toBe(reference(r));
  });

  it('is written as it is made, filling buffers again only once the writer has written them', async () => {
    const r = fakeResult(5000);
    // a writer like a slow pipe: it keeps what it is given (by reference) and writes it out later
    const kept: Uint8Array[] = [];
    const out: string[] = [];
    const buffers = new Set<ArrayBufferLike>();
    let waits = 0;
    const writer: Writer = {
      write: (chunk) => {
        if (typeof chunk === 'string') out.push(chunk);
        else {
          kept.push(chunk);
          buffers.add(chunk.buffer);
        }
      },
      settled: async () => {
        waits++;
        await new Promise((resolve) => setTimeout(resolve, 1));
        for (const k of kept.splice(0)) out.push(Buffer.from(k).toString('utf8'));
      },
    };
    await writeJsonReport(r, {}, writer);
    for (const k of kept.splice(0)) out.push(Buffer.from(k).toString('utf8'));
    expect(out.join('')).toBe(reference(r));
    const pieces = jsonReportBytes(r).length;
    expect(pieces).toBeGreaterThan(3);
    expect(waits).toBeGreaterThan(0);
    // two or three buffers, whatever the report's size (or one a piece, if nothing was reused)
    expect(buffers.size).toBeLessThanOrEqual(3);
  });
});

describe('CSV', () => {
  it('quotes per RFC 4180 only what needs it', () => {
    expect(csvField('plain.txt')).toBe('plain.txt');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('cr\r')).toBe('"cr\r"');
    expect(csvField(0.9214)).toBe('0.9214');
  });
  it('has a header and one CRLF row per pair, by group', () => {
    const out = renderCsv(fakeResult(2));
    expect(out).toBe(
      'a,b,jaccard,containment,group\r\n' + 'docs/doc-000.txt,docs/doc-001.txt,0.9,0.95,1\r\n' + 'docs/doc-002.txt,docs/doc-003.txt,0.9,0.95,2\r\n',
    );
  });
});

describe('GitHub annotations', () => {
  it('escape data and properties as the runner expects', () => {
    expect(escapeData('100% done\r\nnext')).toBe('100%25 done%0D%0Anext');
    expect(escapeProperty('a:b,c%\n')).toBe('a%3Ab%2Cc%25%0A');
    // `%` first, so an escape is never escaped twice
    expect(escapeData('%0A')).toBe('%250A');
  });
  it('are capped at 10 warnings, with one notice for the rest', () => {
    const out = renderGithub(fakeResult(13), ctx).trimEnd().split('\n');
    expect(out.filter((l) => l.startsWith('::warning '))).toHaveLength(GITHUB_ANNOTATION_CAP);
    const notices = out.filter((l) => l.startsWith('::notice'));
    expect(notices).toEqual(['::notice::3 more near-duplicate groups not annotated (GitHub shows 10 per step); the json or sarif format lists them all']);
    expect(out.at(-1)).toMatch(/^neardup: 13 groups, 26 duplicate documents · /);
  });
  it('show at most 10 unreadable inputs too, and none when there are no groups', () => {
    const errors = Array.from({ length: 11 }, (_, i) => ({ path: `bad-${i}.txt`, message: 'cannot read: permission denied' }));
    const out = renderGithub(fakeResult(0, { errors }), ctx).trimEnd().split('\n');
    expect(out.filter((l) => l.startsWith('::error '))).toHaveLength(10);
    expect(out.filter((l) => l.startsWith('::warning '))).toHaveLength(0);
    expect(out.filter((l) => l.startsWith('::notice'))).toHaveLength(1);
  });
});

describe('markdown', () => {
  it('puts any path safely in a code span inside a table cell', () => {
    expect(mdCode('a.txt')).toBe('`a.txt`');
    expect(mdCode('a|b.txt')).toBe('`a\\|b.txt`');
    expect(mdCode('a`b`.txt')).toBe('``a`b`.txt``');
    expect(mdCode('`x`')).toBe('`` `x` ``');
    expect(mdCode('two\nlines')).toBe('`two\\nlines`');
  });
  it('caps the table and counts the rest', () => {
    const out = renderMarkdown(fakeResult(60), {});
    expect(out.split('\n').filter((l) => /^\| \d+ \|/.test(l))).toHaveLength(50);
    expect(out).toContain('… and 10 more groups (the json or sarif format lists them all).');
  });
});

describe('shellQuote', () => {
  it('leaves plain paths alone and single-quotes the rest', () => {
    expect(shellQuote('seeds/a-b_c.txt')).toBe('seeds/a-b_c.txt');
    expect(shellQuote('my file.txt')).toBe("'my file.txt'");
    expect(shellQuote("it's.txt")).toBe("'it'\\''s.txt'");
  });
});

describe('SARIF', () => {
  it('validates against the SARIF 2.1.0 schema: real scans, errors, awkward paths, many groups', async () => {
    const scans = [
      await findNearDuplicates([path.join(ROOT, 'seeds')]),
      await findNearDuplicates([path.join(ROOT, 'fixtures', 'mixed'), path.join(ROOT, 'nope')]),
      await findNearDuplicates([path.join(ROOT, 'fixtures', 'clean')]),
    ];
    for (const r of scans) expect(sarifErrors(buildSarif(r, ctx))).toEqual([]);
    const awkward = fakeResult(3);
    awkward.documents[0]!.path = 'docs/100%: a "b" [c] #d é.txt';
    awkward.documents[1]!.path = '/elsewhere/outside the repo.txt';
    expect(sarifErrors(buildSarif(awkward, ctx))).toEqual([]);
    const gated = buildSarif(fakeResult(2), { ...ctx, baseline: { file: 'b.json', known: 1, new: 2, absent: 0, updated: false } });
    expect(sarifErrors(gated)).toEqual([]);
    expect(gated.runs[0]!.results.map((r) => r.baselineState)).toEqual(['new', 'new']);
  });
  it('the validator does catch a broken log', () => {
    const log = buildSarif(fakeResult(1), ctx) as unknown as { runs: { results: { level: string }[] }[] };
    log.runs[0]!.results[0]!.level = 'severe';
    expect(sarifErrors(log).length).toBeGreaterThan(0);
    expect(sarifErrors({ version: '2.1.0' })).not.toEqual([]);
  });
  it('one result per group: first member as location, the others linked from the message', () => {
    const log = buildSarif(fakeResult(2), ctx);
    const run = log.runs[0]!;
    expect(run.tool.driver.rules.map((r) => r.id)).toEqual(['neardup/near-duplicate']);
    expect(run.results).toHaveLength(2);
    const r = run.results[0]!;
    expect(r.locations[0]!.physicalLocation.artifactLocation).toEqual({ uri: 'docs/doc-000.txt', uriBaseId: '%SRCROOT%' });
    expect(r.relatedLocations.map((l) => [l.id, l.physicalLocation.artifactLocation.uri])).toEqual([[1, 'docs/doc-001.txt']]);
    expect(r.message.text).toContain('[docs/doc-001.txt](1)');
  });
  it('URIs are repository-relative wherever the scan ran from, percent-encoded; outside the root, file URIs', () => {
    const r = fakeResult(1);
    r.documents[0]!.path = 'a b.txt';
    r.documents[1]!.path = '../up.txt';
    const log = buildSarif(r, { ...ctx, cwd: path.join(ROOT, 'docs'), root: ROOT });
    const res = log.runs[0]!.results[0]!;
    expect(res.locations[0]!.physicalLocation.artifactLocation).toEqual({ uri: 'docs/a%20b.txt', uriBaseId: '%SRCROOT%' });
    expect(res.relatedLocations[0]!.physicalLocation.artifactLocation).toEqual({ uri: 'up.txt', uriBaseId: '%SRCROOT%' });
    const outside = buildSarif(r, { ...ctx, cwd: '/tmp/x', root: '/tmp/x/repo' }).runs[0]!.results[0]!;
    expect(outside.relatedLocations[0]!.physicalLocation.artifactLocation).toEqual({ uri: 'file:///tmp/up.txt' });
  });
  it('partial fingerprints depend on members (path, content), not on order or numbering', async () => {
    const fp = (r: ScanResult) =>
      buildSarif(r, ctx)
        .runs[0]!.results.map((x) => x.partialFingerprints[SARIF_FINGERPRINT_KEY])
        .sort();
    const a = await findNearDuplicates(['fixtures/mixed', 'seeds'].map((p) => path.join(ROOT, p)));
    const b = await findNearDuplicates(['seeds', 'fixtures/mixed/notes', 'fixtures/mixed'].map((p) => path.join(ROOT, p)));
    expect(fp(a)).toEqual(fp(b));
    expect(new Set(fp(a)).size).toBe(3);
    const key = (p: string, h: string) => ({ path: p, contentHash: h });
    expect(groupFingerprint([key('a', '1'), key('b', '2')])).toBe(groupFingerprint([key('b', '2'), key('a', '1')]));
    expect(groupFingerprint([key('a', '1'), key('b', '2')])).not.toBe(groupFingerprint([key('a', '1'), key('b', '3')]));
    expect(groupFingerprint([key('a', '1'), key('b', '2')])).not.toBe(groupFingerprint([key('a', '1'), key('c', '2')]));
    expect(groupFingerprint([key('a', '1'), key('b', '2')])).toMatch(/^[0-9a-f]{32}$/);
  });
});

describe('JSON members and places', () => {
  it('members list their place fields, then their sizes, in one order whichever fields a document has', () => {
    const r = fakeResult(2);
    Object.assign(r.documents[1]!, { id: 'x-1', source: 'docs/all.jsonl', line: 7 });
    Object.assign(r.documents[2]!, { pathBytes: 'ZG9j/w==' });
    Object.assign(r.documents[3]!, { source: 'docs/all.csv' });
    const report = JSON.parse(renderJson(r)) as ReturnType<typeof buildJsonReport>;
    const members = report.groups.flatMap((g) => g.members.map((m) => Object.keys(m).join(',')));
    expect(members).toEqual([
      'path,bytes,chars,shingles',
      'path,id,source,line,bytes,chars,shingles',
      'path,pathBytes,bytes,chars,shingles',
      // a source without a line: the line is left out
      'path,source,bytes,chars,shingles',
    ]);
    expect(report.pairs.map((p) => Object.keys(p).join(','))).toEqual(['a,b,jaccard,containment,group', 'a,b,jaccard,containment,group']);
    expect(report.pairs.map((p) => p.group)).toEqual([1, 2]);
  });
});

describe('the registry', () => {
  it('every format writes through the injected writer only', async () => {
    const result = await findNearDuplicates([path.join(ROOT, 'seeds')]);
    for (const [name, load] of Object.entries(REPORTERS)) {
      // with and without the index details (a scan that used an index)
      const written: string[] = [];
      for (const indexed of [false, true]) {
        const chunks: string[] = [];
        const out: Writer = { write: (s) => void chunks.push(typeof s === 'string' ? s : Buffer.from(s).toString('utf8')) };
        const report = (await load(indexed))(out);
        report.begin?.(result.settings, ['seeds']);
        await report.end(result, ctx);
        expect(chunks.join('').length, name).toBeGreaterThan(0);
        written.push(chunks.join(''));
      }
      // a result with no index details is reported alike either way
      expect(written[1], name).toBe(written[0]);
    }
  });
});

describe('scoreRange', () => {
  it('takes a group with more pairs than a call takes arguments (Math.min(...scores) threw RangeError)', () => {
    const scores = Array.from({ length: 300_000 }, (_, i) => 0.7 + (i % 1000) / 10_000);
    expect(scoreRange(scores)).toBe('0.700–0.799');
    expect(scoreRange([0.94])).toBe('0.940');
  });
});
