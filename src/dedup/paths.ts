/**
 * Where dedup writes, and whether it may: the folder output paths are relative to (the base of
 * the inputs), and the checks that keep the output away from the inputs.
 *
 * Paths are handled as "byte strings" (each character one byte, latin1), so that names that are
 * not valid UTF-8 keep their exact bytes through `path.relative` and `path.join`; `fsPath` turns
 * one back into a Buffer for the file system.
 */
import { lstatSync, readdirSync, realpathSync, type Stats, statSync } from 'node:fs';
import path from 'node:path';
import { NearDupError } from '../model/errors.js';
import type { DedupOutputKind } from '../model/settings.js';
import type { DocumentInfo, FsPath } from '../model/types.js';

/** A path as a byte string. */
export function bytesOf(p: FsPath): string {
  return (typeof p === 'string' ? Buffer.from(p) : p).toString('latin1');
}

/** A byte string as the file system takes it. */
export function fsPath(b: string): Buffer {
  return Buffer.from(b, 'latin1');
}

/** A byte string as shown in messages (bytes that are not UTF-8 shown as U+FFFD). */
export function shown(b: string): string {
  return Buffer.from(b, 'latin1').toString('utf8');
}

/** The file a document is (a record: the file it is in), as a byte string relative to the working folder. */
export function fileOf(d: DocumentInfo): string {
  if (d.pathBytes !== undefined) return Buffer.from(d.pathBytes, 'base64').toString('latin1');
  return bytesOf(d.source ?? d.path);
}

function statQuiet(b: string, follow = true): Stats | undefined {
  try {
    return follow ? statSync(fsPath(b)) : lstatSync(fsPath(b));
  } catch {
    return undefined;
  }
}

/** `inner` is `outer` or lies under it (both absolute and normalised). */
export function within(inner: string, outer: string): boolean {
  if (inner === outer) return true;
  const prefix = outer.endsWith(path.sep) ? outer : outer + path.sep;
  return inner.startsWith(prefix);
}

/** The real path of `abs`: of its deepest existing ancestor, with the rest of the path after it. */
function realish(abs: string): string {
  const rest: string[] = [];
  for (let p = abs; ; ) {
    try {
      const real = (realpathSync(fsPath(p), { encoding: 'buffer' }) as Buffer).toString('latin1');
      return rest.length ? path.join(real, ...rest.reverse()) : real;
    } catch {
      const parent = path.dirname(p);
      if (parent === p) return abs;
      rest.push(path.basename(p));
      p = parent;
    }
  }
}

/** One input path as given: where it is, and whether it is a folder. */
export interface Root {
  /** As given (a byte string). */
  given: string;
  /** Absolute, lexically normalised (as the walk names what it finds). */
  abs: string;
  /** Absolute, symbolic links resolved (for the safety checks). */
  real: string;
  folder: boolean;
}

/** The inputs that exist (the scan reports the others). */
export function rootsOf(paths: readonly FsPath[], cwd: string): Root[] {
  const out: Root[] = [];
  for (const p of paths) {
    const given = bytesOf(p);
    const abs = path.resolve(bytesOf(cwd), given);
    const st = statQuiet(abs);
    if (!st) continue;
    out.push({ given, abs, real: realish(abs), folder: st.isDirectory() });
  }
  return out;
}

/**
 * The folder the output mirrors: the deepest folder holding every input (an input folder
 * itself, for a file its folder). With one input folder, that folder: its files land at the top
 * of the output. Every document lies under it, so no two land on the same output path.
 */
export function baseOf(roots: readonly Root[], cwd: string): string {
  const dirs = roots.map((r) => (r.folder ? r.abs : path.dirname(r.abs)));
  if (dirs.length === 0) return bytesOf(path.resolve(cwd));
  let common = dirs[0]!.split(path.sep);
  for (const d of dirs.slice(1)) {
    const parts = d.split(path.sep);
    let i = 0;
    while (i < common.length && i < parts.length && common[i] === parts[i]) i++;
    common = common.slice(0, i);
  }
  return common.join(path.sep) || path.sep;
}

/** Where a document goes under the output folder (a byte string relative to it). */
export function outputPathOf(d: DocumentInfo, base: string, cwd: string): string {
  const rel = path.relative(base, path.resolve(bytesOf(cwd), fileOf(d)));
  if (rel === '' || rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel)) {
    // cannot happen: every document lies under the base
    throw new NearDupError('EINTERNAL', `${d.path}: not under ${shown(base)}`);
  }
  return rel;
}

function refuse(message: string): never {
  throw new NearDupError('EOUTPUT', message);
}

/** An output (or manifest) path must not be, hold or lie in an input. */
function checkApart(target: string, what: string, roots: readonly Root[], cwd: string): void {
  const real = realish(path.resolve(bytesOf(cwd), target));
  for (const r of roots) {
    if (r.folder && within(real, r.real)) {
      refuse(`${what} ${shown(target)} is inside the input folder ${shown(r.given)}: write it elsewhere (inputs are never modified)`);
    }
    if (!r.folder && real === r.real) refuse(`${what} ${shown(target)} is the input file ${shown(r.given)}`);
    if (within(r.real, real)) refuse(`the input ${shown(r.given)} is inside ${what} ${shown(target)}: write it elsewhere`);
  }
}

/** A file the run reads: where it is (a byte string), and what it is, for a message (`the input a.txt`). */
export interface ReadFile {
  file: string;
  shown: string;
}

/**
 * After the scan, with every file it read known (found by the walk too, through symbolic links):
 * no file the run reads — a document's or record's file, the --files-from list, the config
 * file — may be the output, the manifest, or lie inside an output folder (which --force
 * replaces whole). checkPlaces tested the paths as given; this tests where each file really is.
 */
export function checkReadApart(p: Places, read: Iterable<ReadFile>, cwd: string): void {
  const real = (b: string) => realish(path.resolve(bytesOf(cwd), b));
  const out = real(p.out);
  const manifest = p.manifest === undefined ? undefined : real(p.manifest);
  const here = realish(path.resolve(bytesOf(cwd)));
  const seen = new Set<string>();
  for (const f of read) {
    if (seen.has(f.file)) continue;
    seen.add(f.file);
    const at = real(f.file);
    if (p.kind === 'folder' && within(at, out)) {
      refuse(`${f.shown} is inside --out ${shown(p.out)} (as ${shown(path.relative(here, at))}): replacing the output would delete it; write it elsewhere`);
    }
    if (p.kind !== 'folder' && at === out) refuse(`--out ${shown(p.out)} is ${f.shown}, which this run reads: write it elsewhere`);
    if (manifest !== undefined && at === manifest) refuse(`--manifest ${shown(p.manifest!)} is ${f.shown}, which this run reads: write it elsewhere`);
  }
}

/** The deepest ancestor of `abs` that exists must be a folder (missing ones are created). */
function checkParent(abs: string, what: string, target: string, cwd: string): void {
  for (let p = path.dirname(abs); ; p = path.dirname(p)) {
    const st = statQuiet(p);
    if (st) {
      if (!st.isDirectory()) refuse(`${what} ${shown(target)}: ${shown(path.relative(bytesOf(cwd), p))} is not a folder`);
      return;
    }
    if (path.dirname(p) === p) return;
  }
}

export interface Places {
  /** The output (a byte string, as given) and its kind. */
  out: string;
  kind: DedupOutputKind;
  manifest: string | undefined;
  force: boolean;
}

/**
 * Every refusal that can be known before the scan: an output inside an input folder or holding
 * an input, a non-empty output without --force, a file where a folder is wanted and the other
 * way round, a manifest in the way of either. Throws NearDupError (EOUTPUT).
 */
export function checkPlaces(p: Places, roots: readonly Root[], cwd: string): void {
  const abs = (b: string) => path.resolve(bytesOf(cwd), b);
  const outAbs = abs(p.out);
  checkApart(p.out, '--out', roots, cwd);
  checkParent(outAbs, '--out', p.out, cwd);
  const st = statQuiet(outAbs, false);
  if (st?.isSymbolicLink()) {
    refuse(
      `--out ${shown(p.out)} is a symbolic link: name the ${p.kind === 'folder' ? 'folder' : 'file'} it points to, or a new place (an output is replaced, never written through a link)`,
    );
  }
  if (st) {
    if (p.kind === 'folder') {
      if (!st.isDirectory()) {
        refuse(`--out ${shown(p.out)} exists and is not a folder (a folder is written; records need an --out ending in .jsonl, .ndjson or .csv)`);
      }
      if (readdirSync(fsPath(outAbs)).length > 0 && !p.force) refuse(`--out ${shown(p.out)} is a folder that is not empty (use --force to replace it)`);
    } else {
      if (st.isDirectory()) refuse(`--out ${shown(p.out)} is a folder; records are written to a file`);
      if (!st.isFile()) refuse(`--out ${shown(p.out)} is not a regular file`);
      if (st.size > 0 && !p.force) refuse(`--out ${shown(p.out)} exists and is not empty (use --force to replace it)`);
    }
  }
  if (p.manifest === undefined) return;
  const manAbs = abs(p.manifest);
  checkApart(p.manifest, '--manifest', roots, cwd);
  checkParent(manAbs, '--manifest', p.manifest, cwd);
  const outReal = realish(outAbs);
  const manReal = realish(manAbs);
  if (manReal === outReal) refuse(`--manifest ${shown(p.manifest)} is the output itself`);
  if (p.kind === 'folder' && within(manReal, outReal)) {
    refuse(`--manifest ${shown(p.manifest)} is inside the output folder ${shown(p.out)}: it would become part of the corpus`);
  }
  const ms = statQuiet(manAbs, false);
  if (ms) {
    if (ms.isDirectory()) refuse(`--manifest ${shown(p.manifest)} is a folder`);
    if (!ms.isFile()) refuse(`--manifest ${shown(p.manifest)} is not a regular file`);
    if (ms.size > 0 && !p.force) refuse(`--manifest ${shown(p.manifest)} exists and is not empty (use --force to replace it)`);
  }
}
