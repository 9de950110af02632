/**
 * Baselines: the groups a project has accepted, recorded so that CI fails only on new ones.
 * A group is identified by its fingerprint, which depends only on its members' paths and
 * content, not on line numbers, scan order or group numbering.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describeError, NearDupError } from '../model/errors.js';
import type { ResolvedOptions } from '../model/settings.js';
import type { DocumentInfo, Group, ScanResult } from '../model/types.js';
import { type RecordedSettings, recordedSettings } from '../options/scan.js';

export interface MemberKey {
  /**
   * The member's path, with `/` separators, relative to a fixed folder (the baseline's, the
   * repository's); for a record, its file's path: not its line, since records move.
   */
  path: string;
  /** A record's --id-field id (when the scan had one): which record of its file it is. */
  id?: string;
  /** DocumentInfo.contentHash: the hash of the member's extracted text. */
  contentHash: string;
}

/** 32 hex digits (SHA-256, truncated) of the sorted member lines of a group. */
export function groupFingerprint(members: readonly MemberKey[]): string {
  const lines = members.map(keyLine).sort();
  return createHash('sha256').update(lines.join('\n')).digest('hex').slice(0, 32);
}

/**
 * A document's identity in a group's fingerprint: its path (`toPath` makes it relative to a
 * fixed folder) and content hash; a record is named by its file and, when the scan took ids from
 * --id-field, its id, never by its line (a record added above it moves it).
 */
export function memberKey(d: DocumentInfo, toPath: (p: string) => string, idField: string | null | undefined): MemberKey {
  if (d.source === undefined) return { path: toPath(d.path), contentHash: d.contentHash };
  return idField && d.id !== undefined
    ? { path: toPath(d.source), id: d.id, contentHash: d.contentHash }
    : { path: toPath(d.source), contentHash: d.contentHash };
}

export const BASELINE_SCHEMA = 'neardup/baseline';
export const BASELINE_VERSION = 1;

export interface BaselineGroup {
  fingerprint: string;
  /** Sorted by path. */
  members: MemberKey[];
}

/** The baseline file (documented in README): stable, sorted, free of run-dependent data. */
export interface Baseline {
  schema: typeof BASELINE_SCHEMA;
  version: typeof BASELINE_VERSION;
  /** The similarity settings it was made with; a scan with others cannot use it. */
  settings: RecordedSettings;
  /** Sorted by their first member's path, then by fingerprint. */
  groups: BaselineGroup[];
}

/** What a baseline did to a scan. */
export interface BaselineOutcome {
  /** The scan, keeping only the groups the baseline does not record (renumbered from 1). */
  result: ScanResult;
  known: number;
  new: number;
  /** Recorded groups that the scan did not find (fixed, or changed). */
  absent: number;
}

/** Turns a document path (relative to the scan's folder, or absolute) into a baseline path. */
export type PathKey = (docPath: string) => string;

/** Paths relative to `folder` (the baseline file's), with `/` separators. */
export function pathsRelativeTo(folder: string, cwd: string): PathKey {
  return (p) => path.relative(folder, path.resolve(cwd, p)).split(path.sep).join('/');
}

function byPathThenId(x: MemberKey, y: MemberKey): number {
  if (x.path !== y.path) return x.path < y.path ? -1 : 1;
  const a = x.id ?? '';
  const b = y.id ?? '';
  return a < b ? -1 : a > b ? 1 : x.contentHash < y.contentHash ? -1 : x.contentHash > y.contentHash ? 1 : 0;
}

function keysOf(result: ScanResult, g: Group, key: PathKey): MemberKey[] {
  return g.members.map((m) => memberKey(result.documents[m]!, key, result.settings.idField)).sort(byPathThenId);
}

/** The keys a baseline of version 1 before records were named by file gave a group's members (records as FILE:LINE). */
function lineKeysOf(result: ScanResult, g: Group, key: PathKey): MemberKey[] | undefined {
  if (g.members.every((m) => result.documents[m]!.source === undefined)) return undefined;
  return g.members.map((m) => ({ path: key(result.documents[m]!.path), contentHash: result.documents[m]!.contentHash }));
}

/** A member's line in its group's fingerprint: `path NUL contentHash`, and `NUL id` for a record with one. */
const keyLine = (m: MemberKey) => `${m.path}\u0000${m.contentHash}${m.id === undefined ? '' : `\u0000${m.id}`}`;

export function buildBaseline(result: ScanResult, key: PathKey): Baseline {
  const groups = result.groups.map((g) => {
    const members = keysOf(result, g, key);
    return { fingerprint: groupFingerprint(members), members };
  });
  groups.sort((x, y) => {
    const a = x.members[0]!.path;
    const b = y.members[0]!.path;
    return a < b ? -1 : a > b ? 1 : x.fingerprint < y.fingerprint ? -1 : x.fingerprint > y.fingerprint ? 1 : 0;
  });
  return { schema: BASELINE_SCHEMA, version: BASELINE_VERSION, settings: recordedSettings(result.settings), groups };
}

export function renderBaseline(b: Baseline): string {
  return `${JSON.stringify(b, null, 2)}\n`;
}

/** The command-line flag of each recorded setting, for messages. */
const SETTING_FLAGS: Record<keyof RecordedSettings, string> = {
  shingle: '--shingle',
  metric: '--metric',
  threshold: '--threshold',
  numPerm: '--num-perm',
  seed: '--seed',
  bands: '--bands',
  rows: '--rows',
  stem: '--stem',
  stopwords: '--stopwords',
};

function bad(file: string, problem: string): never {
  throw new NearDupError('EINPUT', `${file}: ${problem}`);
}

/** Parses and checks a baseline file's text; `file` names it in messages. */
export function parseBaseline(text: string, file: string): Baseline {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    bad(file, `not a neardup baseline: invalid JSON (${describeError(err)})`);
  }
  const b = data as Partial<Baseline> | null;
  if (!b || typeof b !== 'object' || b.schema !== BASELINE_SCHEMA) bad(file, `not a neardup baseline (no "schema": "${BASELINE_SCHEMA}")`);
  if (b.version !== BASELINE_VERSION) bad(file, `baseline version ${String(b.version)} is not supported (this neardup reads version ${BASELINE_VERSION})`);
  if (!b.settings || typeof b.settings !== 'object') bad(file, 'not a neardup baseline: no "settings"');
  if (!Array.isArray(b.groups)) bad(file, 'not a neardup baseline: no "groups" list');
  b.groups.forEach((g, i) => {
    const ok =
      g &&
      typeof g.fingerprint === 'string' &&
      Array.isArray(g.members) &&
      g.members.every((m) => m && typeof m.path === 'string' && typeof m.contentHash === 'string' && (m.id === undefined || typeof m.id === 'string'));
    if (!ok) bad(file, `groups[${i}]: expected { "fingerprint": string, "members": [{ "path", "contentHash", "id"? }] }`);
  });
  return b as Baseline;
}

export function readBaseline(file: string): Baseline {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    bad(file, `cannot read the baseline: ${describeError(err)}${code === 'ENOENT' ? ' (write one with --update-baseline)' : ''}`);
  }
  return parseBaseline(text, file);
}

/** Refuses a baseline made with other similarity settings, naming the first that differs. */
export function checkBaselineSettings(b: Baseline, settings: ResolvedOptions, file: string): void {
  const now = recordedSettings(settings);
  for (const k of Object.keys(SETTING_FLAGS) as (keyof RecordedSettings)[]) {
    if (b.settings[k] !== now[k]) {
      bad(
        file,
        `the baseline was made with ${SETTING_FLAGS[k]} ${String(b.settings[k])}, this scan uses ${String(now[k])}: ` +
          `scan with the same settings, or rewrite the baseline with --update-baseline`,
      );
    }
  }
}

/**
 * Keeps the groups the baseline does not record. A group is known when its members are all
 * members of one recorded group: the same group, or what is left of it once some of its copies
 * were removed or made different. A copy joining a known group, or a member edited or renamed,
 * makes it a different (new) group.
 */
export function applyBaseline(result: ScanResult, b: Baseline, key: PathKey): BaselineOutcome {
  // The recorded groups each member key belongs to (keys recomputed from the members, so a
  // hand-edited path, after a rename, counts)
  const groupsOf = new Map<string, number[]>();
  b.groups.forEach((g, i) => {
    for (const m of g.members) {
      const k = keyLine(m);
      const list = groupsOf.get(k);
      // once a group (two equal records of one file without ids make one line twice)
      if (!list) groupsOf.set(k, [i]);
      else if (list.at(-1) !== i) list.push(i);
    }
  });
  /** The recorded group that holds every one of `members`, or -1. */
  const holder = (members: readonly MemberKey[]): number => {
    const lines = new Set(members.map(keyLine));
    const counts = new Map<number, number>();
    for (const m of lines) for (const i of groupsOf.get(m) ?? []) counts.set(i, (counts.get(i) ?? 0) + 1);
    for (const [i, n] of counts) if (n === lines.size) return i;
    return -1;
  };
  const matched = new Set<number>();
  const fresh: Group[] = [];
  for (const g of result.groups) {
    let i = holder(keysOf(result, g, key));
    // a baseline written when records were named by their line
    const byLine = i < 0 ? lineKeysOf(result, g, key) : undefined;
    if (byLine) i = holder(byLine);
    if (i < 0) fresh.push(g);
    else matched.add(i);
  }
  const groups = fresh.map((g, i) => ({ ...g, id: i + 1 }));
  const inNew = new Set(groups.flatMap((g) => g.members));
  const pairs = result.pairs.filter((p) => inNew.has(p.a));
  const absent = b.groups.length - matched.size;
  return {
    result: {
      ...result,
      groups,
      pairs,
      stats: { ...result.stats, groups: groups.length, duplicateDocuments: inNew.size, pairs: pairs.length },
    },
    known: result.groups.length - groups.length,
    new: groups.length,
    absent,
  };
}
