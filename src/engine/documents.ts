/**
 * A scan's files and documents as its stages hand them on: the files the walk found (FileTask),
 * the documents loading made of them (Doc), and the load tasks that read a file or a record
 * (again, when verification needs a set that was not kept).
 */
import type { InputKind } from '../corpus/inputs.js';
import { type ByteRange, type RecordItem, type RecordOptions, readRecords } from '../corpus/records.js';
import type { ResolvedOptions } from '../model/settings.js';
import type { DocumentInfo, FsPath } from '../model/types.js';
import type { FileLoadTask, TextLoadTask } from './load.js';
import type { SpillPlace } from './spill.js';

export interface FileTask {
  path: string;
  pathBytes?: Buffer;
  absPath: FsPath;
  size: number;
  kind: InputKind;
  explicit: boolean;
}

/** A document's signature once it is in the shared memory with the others (see matchDocuments). */
export const MOVED = new Uint32Array(0);

export interface Doc {
  info: DocumentInfo;
  /** Index of the file in `files` (to reload it). */
  file: number;
  /** For a record: how to read it again (its position among its file's records; its bytes' place). */
  record?: { ordinal: number; line: number; at?: ByteRange };
  signature: Uint32Array;
  /** Sorted distinct shingles, or null when not kept (over the memory budget). */
  set: Uint32Array | null;
  /** Where the set was written when it was not kept (read back to verify). */
  spill?: SpillPlace;
}

export function fileTask(f: FileTask, index: number, settings: ResolvedOptions): FileLoadTask {
  const document = f.kind.document ?? 'text';
  return { index, path: f.path, absPath: f.absPath, size: f.size, kind: document, gzip: f.kind.gzip, maxFileSize: settings.maxFileSize, wantSet: true };
}

export function textTask(item: Extract<RecordItem, { kind: 'record' }>, index: number): TextLoadTask {
  return { index, text: item.text, encoding: item.encoding, bytes: item.bytes, wantSet: true };
}

export function recordOptions(settings: ResolvedOptions, f: FileTask): RecordOptions {
  return { textField: settings.textField, idField: settings.idField, maxRecordBytes: settings.maxFileSize, explicit: f.explicit };
}

export function records(f: FileTask, settings: ResolvedOptions): AsyncGenerator<RecordItem> {
  return readRecords(f.absPath, f.kind.records!, f.kind.gzip, recordOptions(settings, f));
}
