/** The config file: discovery, validation (naming the key), precedence, --print-config. */
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findConfig, parseConfig } from '../src/options/config.js';
import { golden, ROOT, run } from './helpers.js';

let dir = '';
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'neardup-config-'));
  mkdirSync(path.join(dir, '.git'));
  cpSync(path.join(ROOT, 'fixtures', 'mixed'), path.join(dir, 'docs'), { recursive: true });
  mkdirSync(path.join(dir, 'sub', 'deeper'), { recursive: true });
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const write = (file: string, data: unknown) => writeFileSync(path.join(dir, file), typeof data === 'string' ? data : JSON.stringify(data));
const neardup = (args: string[], cwd = dir) => run(args, { cwd });
const printed = (args: string[], cwd = dir) => {
  const r = neardup([...args, '--print-config'], cwd);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout);
};

describe('parseConfig', () => {
  const parse = (data: unknown) => parseConfig(data, '.neardup.json', '/repo', '/repo');
  it('names unknown keys, with a suggestion', () => {
    expect(() => parse({ treshold: 0.8 })).toThrow('.neardup.json: unknown key "treshold" (did you mean "threshold"?)');
    expect(() => parse({ frobnicate: 1 })).toThrow('.neardup.json: unknown key "frobnicate"');
    expect(() => parse({ 'max-groups': 1 })).toThrow('(did you mean "maxGroups"?)');
  });
  it('takes every long flag of a scan setting, record settings and --skip-errors included', () => {
    expect(parse({ textField: 'meta.body', idField: 'id', records: 'off', skipErrors: true, threads: 2, memory: '64M' })).toEqual({
      textField: 'meta.body',
      idField: 'id',
      records: 'off',
      skipErrors: true,
      threads: 2,
      memory: '64M',
    });
    expect(() => parse({ records: 'maybe' })).toThrow(/^\.neardup\.json: records: expected auto or off/);
    expect(() => parse({ textField: '' })).toThrow(/^\.neardup\.json: textField: /);
  });
  it('names the key of a bad value: JSON type, then the flag validation', () => {
    expect(() => parse({ threshold: '0.8' })).toThrow('.neardup.json: threshold: expected a number, got "0.8"');
    expect(() => parse({ threshold: 1.5 })).toThrow(".neardup.json: threshold: expected a number greater than 0 and at most 1, got '1.5'");
    expect(() => parse({ numPerm: 8 })).toThrow(/^\.neardup\.json: numPerm: expected a whole number from 16 to 1024/);
    expect(() => parse({ shingle: 'letters:9' })).toThrow(/^\.neardup\.json: shingle: /);
    expect(() => parse({ maxFilesize: 'huge' })).toThrow(/^\.neardup\.json: maxFilesize: expected a size/);
    expect(() => parse({ format: 'xml' })).toThrow(/^\.neardup\.json: format: expected one of text, json/);
    expect(() => parse({ glob: 'docs/**' })).toThrow('.neardup.json: glob: expected a list of strings, got "docs/**"');
    expect(() => parse({ stem: 'yes' })).toThrow('.neardup.json: stem: expected true or false, got "yes"');
    expect(() => parse({ maxGroups: -1 })).toThrow(/^\.neardup\.json: maxGroups: expected a whole number/);
    expect(() => parse({ bands: 100, rows: 2 })).toThrow(/^\.neardup\.json: --bands 100 x --rows 2 = 200 exceeds --num-perm 128/);
    expect(() => parse([1])).toThrow('.neardup.json: expected an object of settings');
  });
  it('resolves paths against the file and shows them relative to the current folder', () => {
    const v = parseConfig({ paths: ['docs', '../other'], baseline: 'ci/b.json', output: 'r.sarif' }, 'x', '/repo/conf', '/repo');
    expect(v).toEqual({ paths: ['conf/docs', 'other'], baseline: 'conf/ci/b.json', output: 'conf/r.sarif' });
  });
});

describe('findConfig', () => {
  it('finds the nearest .neardup.json or package.json "neardup" key, up to the repository root', () => {
    expect(findConfig(path.join(dir, 'sub', 'deeper'), dir)).toBeUndefined();
    write('package.json', { name: 'x' });
    expect(findConfig(path.join(dir, 'sub'), dir)).toBeUndefined();
    write('package.json', { name: 'x', neardup: { threshold: 0.8 } });
    expect(findConfig(path.join(dir, 'sub', 'deeper'), dir)).toBe(path.join('..', '..', 'package.json'));
    write('sub/.neardup.json', {});
    expect(findConfig(path.join(dir, 'sub', 'deeper'), dir)).toBe(path.join('..', '.neardup.json'));
    // not above the repository root
    expect(findConfig(path.join(dir, 'sub', 'deeper'), path.join(dir, 'sub', 'deeper'))).toBeUndefined();
  });
});

describe('precedence: defaults < config file < flags', () => {
  it('config values apply, flags win, --no- forms turn off what the config turns on', () => {
    write('.neardup.json', { threshold: 0.8, stem: true, format: 'json', glob: ['*.txt'], paths: ['docs'], exitZero: true });
    const cfg = printed(['scan']);
    expect(cfg.configFile).toBe('.neardup.json');
    expect(cfg.settings).toMatchObject({ threshold: 0.8, stem: true, glob: ['*.txt'] });
    expect(cfg.report).toMatchObject({ format: 'json', exitZero: true });
    expect(cfg.paths).toEqual(['docs']);
    const over = printed(['scan', 'seeds', '-t', '0.7', '--no-stem', '--format', 'csv', '--no-exit-zero', '--glob', '*.md']);
    expect(over.settings).toMatchObject({ threshold: 0.7, stem: false, glob: ['*.md'] });
    expect(over.report).toMatchObject({ format: 'csv', exitZero: false });
    expect(over.paths).toEqual(['seeds']);
    expect(over.sources).toMatchObject({ threshold: 'flag', stem: 'flag', format: 'flag', paths: 'flag' });
    const none = printed(['scan', '--no-config']);
    expect(none.configFile).toBeNull();
    expect(none.settings.threshold).toBe(0.65);
    expect(none.sources).toEqual({});
  });
  it('paths in the config are relative to its folder, from wherever neardup runs', () => {
    write('.neardup.json', { paths: ['docs'], baseline: 'baseline.json' });
    const cfg = printed(['scan'], path.join(dir, 'sub', 'deeper'));
    expect(cfg.configFile).toBe(path.join('..', '..', '.neardup.json'));
    expect(cfg.paths).toEqual([path.join('..', '..', 'docs')]);
    expect(cfg.report.baseline).toBe(path.join('..', '..', 'baseline.json'));
    const r = neardup(['scan', '--format', 'csv', '--update-baseline'], path.join(dir, 'sub'));
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('../docs/short-a.txt,../docs/short-b.txt');
    // the baseline went where the config file says, and its paths are relative to it
    const again = neardup(['scan', '--format', 'json'], path.join(dir, 'sub', 'deeper'));
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout).baseline).toMatchObject({ file: path.join('..', '..', 'baseline.json'), known: 2 });
  });
  it('package.json "neardup" key, --config FILE, and compare taking only what applies to it', () => {
    write('package.json', { name: 'demo', neardup: { metric: 'jaccard', format: 'sarif', maxGroups: 3 } });
    expect(printed(['scan']).settings.metric).toBe('jaccard');
    const cmp = printed(['compare', 'docs/article.txt', 'docs/article-copy.html']);
    expect(cmp.settings.metric).toBe('jaccard');
    expect(cmp.report.format).toBe('text');
    write('ci.json', { threshold: 0.9 });
    expect(printed(['scan', '--config', 'ci.json'])).toMatchObject({ configFile: 'ci.json', settings: { threshold: 0.9, metric: 'containment' } });
  });
  it('a config with a scan format runs: the scan uses it', () => {
    write('.neardup.json', { format: 'csv', paths: ['docs'] });
    const r = neardup(['scan']);
    expect(r.code).toBe(1);
    expect(r.stdout.split('\r\n')[0]).toBe('a,b,jaccard,containment,group');
  });
});

describe('errors name the file and the key (exit 2)', () => {
  it('unknown key, bad value, bad JSON, missing --config file', () => {
    write('.neardup.json', { treshold: 0.8 });
    expect(neardup(['scan'])).toMatchObject({ code: 2, stdout: '', stderr: 'neardup: .neardup.json: unknown key "treshold" (did you mean "threshold"?)\n' });
    write('.neardup.json', { metric: 'cosine' });
    expect(neardup(['compare', 'docs/article.txt', 'docs/bread.txt']).stderr).toBe(
      "neardup: .neardup.json: metric: expected jaccard or containment, got 'cosine'\n",
    );
    write('.neardup.json', '{ "threshold": 0.8, }');
    expect(neardup(['scan']).stderr).toMatch(/^neardup: \.neardup\.json: invalid JSON: /);
    expect(neardup(['scan', '--config', 'missing.json'])).toMatchObject({
      code: 2,
      stderr: 'neardup: missing.json: cannot read the config file: no such file or directory\n',
    });
  });
});

describe('golden', () => {
  it('--print-config', () => {
    write('.neardup.json', { threshold: 0.8, format: 'sarif', output: 'out/neardup.sarif', paths: ['docs'], glob: ['*.txt', '!short-*'] });
    const args = ['scan', '--print-config', '--max-groups', '2'];
    const { actual, expected } = golden('print-config', args, neardup(args));
    expect(actual).toBe(expected);
  });
});
