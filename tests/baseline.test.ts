/** Baselines and exit codes as pure functions. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyBaseline, buildBaseline, checkBaselineSettings, parseBaseline, pathsRelativeTo, renderBaseline } from '../src/baseline/baseline.js';
import { EXIT, exitCode } from '../src/cli/exit.js';
import { findNearDuplicates } from '../src/engine/scan.js';
import { resolveOptions } from '../src/options/scan.js';
import { ROOT } from './helpers.js';

describe('exitCode', () => {
  const policy = { exitZero: false, maxGroups: 0, updateBaseline: false };
  it('0 clean, 1 duplicates, 2 errors (2 wins)', () => {
    expect(exitCode({ errors: 0, groups: 0 }, policy)).toBe(EXIT.clean);
    expect(exitCode({ errors: 0, groups: 1 }, policy)).toBe(EXIT.duplicates);
    expect(exitCode({ errors: 1, groups: 1 }, policy)).toBe(EXIT.error);
    expect(exitCode({ errors: 1, groups: 0 }, { ...policy, exitZero: true })).toBe(EXIT.error);
  });
  it('--exit-zero and --update-baseline accept duplicates', () => {
    expect(exitCode({ errors: 0, groups: 3 }, { ...policy, exitZero: true })).toBe(0);
    expect(exitCode({ errors: 0, groups: 3 }, { ...policy, updateBaseline: true })).toBe(0);
  });
  it('--max-groups N fails only above N; with a baseline only new groups count', () => {
    expect(exitCode({ errors: 0, groups: 3 }, { ...policy, maxGroups: 3 })).toBe(0);
    expect(exitCode({ errors: 0, groups: 4 }, { ...policy, maxGroups: 3 })).toBe(1);
    expect(exitCode({ errors: 0, groups: 9, newGroups: 0 }, policy)).toBe(0);
    expect(exitCode({ errors: 0, groups: 9, newGroups: 1 }, policy)).toBe(1);
    expect(exitCode({ errors: 0, groups: 9, newGroups: 2 }, { ...policy, maxGroups: 2 })).toBe(0);
  });
});

describe('baseline', () => {
  const key = pathsRelativeTo(ROOT, ROOT);
  it('is stable: the same groups in any scan order give the same file', async () => {
    const a = await findNearDuplicates(['fixtures/mixed', 'seeds'].map((p) => path.join(ROOT, p)));
    const b = await findNearDuplicates(['seeds', 'fixtures/mixed/notes', 'fixtures/mixed'].map((p) => path.join(ROOT, p)));
    expect(renderBaseline(buildBaseline(a, key))).toBe(renderBaseline(buildBaseline(b, key)));
    const file = buildBaseline(a, key);
    expect(file.groups.map((g) => g.members.map((m) => m.path))).toEqual([
      ['fixtures/mixed/article-copy.html', 'fixtures/mixed/article.txt', 'fixtures/mixed/notes/article-excerpt.md'],
      ['fixtures/mixed/short-a.txt', 'fixtures/mixed/short-b.txt'],
      ['seeds/000_241594d10820ed7f.txt', 'seeds/001_8ed3a1ba6430ba1a.txt'],
    ]);
  });
  it('round-trips and filters known groups, renumbering the new ones', async () => {
    const before = await findNearDuplicates([path.join(ROOT, 'fixtures', 'mixed')]);
    const recorded = parseBaseline(renderBaseline(buildBaseline(before, key)), 'b.json');
    const after = await findNearDuplicates(['fixtures/mixed', 'seeds'].map((p) => path.join(ROOT, p)));
    const out = applyBaseline(after, recorded, key);
    expect(out).toMatchObject({ known: 2, new: 1, absent: 0 });
    expect(out.result.groups.map((g) => g.id)).toEqual([1]);
    expect(out.result.groups[0]!.members.map((m) => path.basename(after.documents[m]!.path))).toEqual(['000_241594d10820ed7f.txt', '001_8ed3a1ba6430ba1a.txt']);
    expect(out.result.stats).toMatchObject({ groups: 1, duplicateDocuments: 2, pairs: 1 });
    // the other way round: recorded groups that are gone are counted as absent
    const back = applyBaseline(before, parseBaseline(renderBaseline(buildBaseline(after, key)), 'b.json'), key);
    expect(back).toMatchObject({ known: 2, new: 0, absent: 1 });
  });
  it('a known group that lost members (copies removed) stays known; one that gained a member is new', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'neardup-baseline-shrink-'));
    try {
      const a = readFileSync(path.join(ROOT, 'seeds', '000_241594d10820ed7f.txt'));
      for (const f of ['a.txt', 'b.txt', 'c.txt']) writeFileSync(path.join(dir, f), a);
      const k = pathsRelativeTo(dir, dir);
      const three = await findNearDuplicates([dir]);
      const recorded = parseBaseline(renderBaseline(buildBaseline(three, k)), 'b.json');
      rmSync(path.join(dir, 'c.txt'));
      expect(applyBaseline(await findNearDuplicates([dir]), recorded, k)).toMatchObject({ known: 1, new: 0, absent: 0 });
      writeFileSync(path.join(dir, 'c.txt'), a);
      writeFileSync(path.join(dir, 'd.txt'), a);
      expect(applyBaseline(await findNearDuplicates([dir]), recorded, k)).toMatchObject({ known: 0, new: 1, absent: 1 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  it('records are named by their file (and --id-field id), not their line: a record added above them changes nothing', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'neardup-baseline-records-'));
    try {
      const [a, b] = ['000_241594d10820ed7f.txt', '001_8ed3a1ba6430ba1a.txt'].map((f) => readFileSync(path.join(ROOT, 'seeds', f), 'utf8'));
      const lines = (extra: string[]) => `${[...extra, JSON.stringify({ id: 'a', text: a }), JSON.stringify({ id: 'b', text: b })].join('\n')}\n`;
      const file = path.join(dir, 'posts.jsonl');
      const k = pathsRelativeTo(dir, dir);
      for (const idField of [undefined, 'id']) {
        writeFileSync(file, lines([]));
        const before = await findNearDuplicates([file], { idField });
        const recorded = parseBaseline(renderBaseline(buildBaseline(before, k)), 'b.json');
        expect(recorded.groups[0]!.members.map((m) => m.path)).toEqual(['posts.jsonl', 'posts.jsonl']);
        expect(recorded.groups[0]!.members.map((m) => m.id)).toEqual(idField ? ['a', 'b'] : [undefined, undefined]);
        writeFileSync(file, lines([JSON.stringify({ id: 'c', text: 'a note about bread' })]));
        expect(applyBaseline(await findNearDuplicates([file], { idField }), recorded, k)).toMatchObject({ known: 1, new: 0, absent: 0 });
      }
      // a baseline written when records were named by their line still matches them where they were
      writeFileSync(file, lines([]));
      const now = await findNearDuplicates([file]);
      const old = buildBaseline(now, k);
      old.groups[0]!.members = now.documents.map((d) => ({ path: d.path.replace(`${dir}/`, ''), contentHash: d.contentHash }));
      expect(applyBaseline(now, parseBaseline(renderBaseline(old), 'b.json'), k)).toMatchObject({ known: 1, new: 0 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  it('rejects files that are not baselines, naming the file and the problem', () => {
    expect(() => parseBaseline('nope', 'b.json')).toThrow(/^b\.json: not a neardup baseline: invalid JSON/);
    expect(() => parseBaseline('{}', 'b.json')).toThrow('b.json: not a neardup baseline (no "schema": "neardup/baseline")');
    expect(() => parseBaseline('{"schema":"neardup/baseline","version":2}', 'b.json')).toThrow(/baseline version 2 is not supported/);
    const bad = { schema: 'neardup/baseline', version: 1, settings: {}, groups: [{ fingerprint: 'x', members: [{ path: 1 }] }] };
    expect(() => parseBaseline(JSON.stringify(bad), 'b.json')).toThrow(/b\.json: groups\[0\]: expected/);
  });
  it('refuses other similarity settings, naming the first that differs', async () => {
    const r = await findNearDuplicates([path.join(ROOT, 'seeds')]);
    const b = buildBaseline(r, key);
    expect(() => checkBaselineSettings(b, resolveOptions(), 'b.json')).not.toThrow();
    expect(() => checkBaselineSettings(b, resolveOptions({ shingle: 'word:5' }), 'b.json')).toThrow(
      /b\.json: the baseline was made with --shingle char:9, this scan uses word:5/,
    );
    expect(() => checkBaselineSettings(b, resolveOptions({ seed: 2 }), 'b.json')).toThrow(/--seed 1, this scan uses 2/);
  });
});
