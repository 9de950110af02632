/**
 * The config file: `.neardup.json`, or the `"neardup"` key of package.json, found in the current
 * folder or the nearest folder above it (up to the repository root), or named with --config.
 * Keys are the long flags in camelCase (`--max-groups` is `maxGroups`); precedence is
 * defaults < config file < flags. Paths in it (paths, output, baseline) are relative to the file.
 * Unknown keys and bad values are errors that name the file and the key.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describeError, NearDupError } from '../model/errors.js';
import { OptionError } from './parse.js';
import { RUN_DEFAULTS, type RunOptionsInput, resolveRunOptions } from './report.js';
import { resolveOptions, type ScanOptionsInput } from './scan.js';

type Kind = 'string' | 'number' | 'boolean' | 'strings' | 'size' | 'count-or-all';

interface KeySpec {
  kind: Kind;
  /** The flag it stands for (validation messages name flags). */
  flag: string;
  /** A path, resolved against the config file's folder. */
  path?: boolean;
  /** Commands it applies to. */
  compare?: boolean;
}

/** Every key a config file may hold. */
export const CONFIG_KEYS = {
  paths: { kind: 'strings', flag: 'paths', path: true },
  shingle: { kind: 'string', flag: '--shingle', compare: true },
  metric: { kind: 'string', flag: '--metric', compare: true },
  threshold: { kind: 'number', flag: '--threshold', compare: true },
  numPerm: { kind: 'number', flag: '--num-perm', compare: true },
  seed: { kind: 'number', flag: '--seed', compare: true },
  bands: { kind: 'number', flag: '--bands' },
  rows: { kind: 'number', flag: '--rows' },
  stem: { kind: 'boolean', flag: '--stem', compare: true },
  stopwords: { kind: 'boolean', flag: '--stopwords', compare: true },
  hidden: { kind: 'boolean', flag: '--hidden' },
  ignore: { kind: 'boolean', flag: '--ignore' },
  glob: { kind: 'strings', flag: '--glob' },
  maxFilesize: { kind: 'size', flag: '--max-filesize', compare: true },
  follow: { kind: 'boolean', flag: '--follow' },
  threads: { kind: 'number', flag: '--threads' },
  memory: { kind: 'size', flag: '--memory' },
  textField: { kind: 'string', flag: '--text-field', compare: true },
  idField: { kind: 'string', flag: '--id-field' },
  records: { kind: 'string', flag: '--records' },
  skipErrors: { kind: 'boolean', flag: '--skip-errors' },
  format: { kind: 'string', flag: '--format' },
  output: { kind: 'string', flag: '--output', path: true },
  color: { kind: 'string', flag: '--color', compare: true },
  exitZero: { kind: 'boolean', flag: '--exit-zero' },
  baseline: { kind: 'string', flag: '--baseline', path: true },
  maxGroups: { kind: 'number', flag: '--max-groups' },
  explain: { kind: 'boolean', flag: '--explain' },
  passages: { kind: 'number', flag: '--passages' },
  context: { kind: 'count-or-all', flag: '--context', compare: true },
} satisfies Record<string, KeySpec>;

export type ConfigKey = keyof typeof CONFIG_KEYS;
export type ConfigValues = Partial<Record<ConfigKey, string | number | boolean | string[]>>;

export interface LoadedConfig {
  /** The file, as found (relative to the current folder when inside it). */
  file: string;
  values: ConfigValues;
}

const KIND_TEXT: Record<Kind, string> = {
  string: 'a string',
  number: 'a number',
  boolean: 'true or false',
  strings: 'a list of strings',
  size: 'a number of bytes or a size like "10M"',
  'count-or-all': 'a number or "all"',
};

function fits(kind: Kind, v: unknown): boolean {
  switch (kind) {
    case 'string':
      return typeof v === 'string';
    case 'number':
      return typeof v === 'number';
    case 'boolean':
      return typeof v === 'boolean';
    case 'strings':
      return Array.isArray(v) && v.every((x) => typeof x === 'string');
    case 'size':
      return typeof v === 'number' || typeof v === 'string';
    case 'count-or-all':
      return typeof v === 'number' || v === 'all';
  }
}

/** Edit distance, for "did you mean". */
function distance(a: string, b: string): number {
  const d = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = d[0]!;
    d[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const here = d[j]!;
      d[j] = Math.min(d[j]! + 1, d[j - 1]! + 1, prev + (a[i - 1]!.toLowerCase() === b[j - 1]!.toLowerCase() ? 0 : 1));
      prev = here;
    }
  }
  return d[b.length]!;
}

function suggestion(key: string): string {
  const best = Object.keys(CONFIG_KEYS)
    .map((k) => [k, distance(key, k)] as const)
    .sort((x, y) => x[1] - y[1])[0]!;
  return best[1] <= Math.max(2, Math.floor(key.length / 3)) ? ` (did you mean "${best[0]}"?)` : '';
}

const show = (v: unknown) => JSON.stringify(v);

/** Config keys that are scan options, by their name in ScanOptionsInput. */
const SCAN_NAMES: Partial<Record<ConfigKey, keyof ScanOptionsInput>> = {
  shingle: 'shingle',
  metric: 'metric',
  threshold: 'threshold',
  numPerm: 'numPerm',
  seed: 'seed',
  bands: 'bands',
  rows: 'rows',
  stem: 'stem',
  stopwords: 'stopwords',
  hidden: 'hidden',
  ignore: 'respectIgnore',
  glob: 'globs',
  maxFilesize: 'maxFileSize',
  textField: 'textField',
  idField: 'idField',
  records: 'records',
};

/** Config keys that are run options (the same names). */
const RUN_NAMES: Partial<Record<ConfigKey, keyof RunOptionsInput>> = {
  format: 'format',
  output: 'output',
  color: 'color',
  exitZero: 'exitZero',
  baseline: 'baseline',
  maxGroups: 'maxGroups',
  explain: 'explain',
  passages: 'passages',
  context: 'context',
};

function rename<T>(v: ConfigValues, names: Partial<Record<ConfigKey, string>>): T {
  const out: Record<string, unknown> = {};
  for (const [key, name] of Object.entries(names)) if (v[key as ConfigKey] !== undefined) out[name] = v[key as ConfigKey];
  return out as T;
}

/** The scan options of config values (camelCase flags to the library's names). */
export const scanOptionsOf = (v: ConfigValues): ScanOptionsInput => rename(v, SCAN_NAMES);

/** The run options of config values. */
export const runOptionsOf = (v: ConfigValues): RunOptionsInput => rename(v, RUN_NAMES);

/**
 * Checks a config object: known keys, JSON types, then values (through the same validation as
 * flags). Paths are resolved against `dir` and made relative to `cwd`.
 */
export function parseConfig(data: unknown, file: string, dir: string, cwd: string): ConfigValues {
  const bad = (problem: string): never => {
    throw new NearDupError('EOPTION', `${file}: ${problem}`);
  };
  if (!data || typeof data !== 'object' || Array.isArray(data)) bad('expected an object of settings, like { "threshold": 0.8 }');
  const values: ConfigValues = {};
  for (const [key, value] of Object.entries(data as Record<string, unknown>)) {
    if (!Object.hasOwn(CONFIG_KEYS, key)) bad(`unknown key "${key}"${suggestion(key)}`);
    const spec: KeySpec = CONFIG_KEYS[key as ConfigKey];
    if (!fits(spec.kind, value)) bad(`${key}: expected ${KIND_TEXT[spec.kind]}, got ${show(value)}`);
    let v = value as string | number | boolean | string[];
    if (spec.path) {
      const rel = (p: string) => {
        if (p.trim() === '') bad(`${key}: expected a path, got ""`);
        return path.relative(cwd, path.resolve(dir, p)) || '.';
      };
      v = Array.isArray(v) ? v.map(rel) : rel(v as string);
    }
    values[key as ConfigKey] = v;
  }
  // Values: the flags' own validation, with the problem reported under the key.
  const flagToKey = new Map(Object.entries(CONFIG_KEYS).map(([k, s]) => [s.flag, k]));
  try {
    resolveOptions(scanOptionsOf(values));
    resolveRunOptions(runOptionsOf(values), 'scan');
  } catch (err) {
    if (err instanceof OptionError) bad(`${flagToKey.get(err.flag) ?? err.flag}: ${err.problem}`);
    if (err instanceof NearDupError) bad(err.message); // a combination of settings
    throw err;
  }
  return values;
}

/** Reads a config file (`.neardup.json`, or a package.json's "neardup" key). */
export function loadConfig(file: string, cwd: string): LoadedConfig {
  let text: string;
  try {
    text = readFileSync(path.resolve(cwd, file), 'utf8');
  } catch (err) {
    throw new NearDupError('EOPTION', `${file}: cannot read the config file: ${describeError(err)}`, { cause: err });
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new NearDupError('EOPTION', `${file}: invalid JSON: ${describeError(err)}`, { cause: err });
  }
  const isPackage = path.basename(file) === 'package.json';
  if (isPackage) data = (data as Record<string, unknown> | null)?.neardup;
  return { file, values: parseConfig(data, isPackage ? `${file} ("neardup")` : file, path.dirname(path.resolve(cwd, file)), cwd) };
}

function hasNeardupKey(pkg: string): boolean {
  try {
    const data = JSON.parse(readFileSync(pkg, 'utf8')) as Record<string, unknown> | null;
    return data !== null && typeof data === 'object' && Object.hasOwn(data, 'neardup');
  } catch {
    return false; // a package.json neardup cannot read is not its config
  }
}

/**
 * The config file that applies in `cwd`: the nearest `.neardup.json`, or package.json with a
 * "neardup" key, in `cwd` or a folder above it, up to `root` (the repository root) included.
 */
export function findConfig(cwd: string, root: string): string | undefined {
  const stop = path.resolve(root);
  for (let dir = path.resolve(cwd); ; ) {
    const own = path.join(dir, RUN_DEFAULTS.configFile);
    if (existsSync(own)) return path.relative(cwd, own) || own;
    const pkg = path.join(dir, 'package.json');
    if (existsSync(pkg) && hasNeardupKey(pkg)) return path.relative(cwd, pkg) || pkg;
    const parent = path.dirname(dir);
    if (dir === stop || parent === dir) return undefined;
    dir = parent;
  }
}
