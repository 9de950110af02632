/**
 * Typed errors. The core throws NearDupError for problems the user can fix (bad options,
 * unreadable settings); the CLI has one catch site that prints `neardup: <message>` and exits 2.
 * Per-file problems during a scan are not thrown: they are recorded in the result (see types.ts).
 */
export type ErrorCode =
  | 'EOPTION' // an option value is invalid
  | 'EUSAGE' // the command line is malformed
  | 'EINPUT' // an input cannot be used at all
  | 'EINDEX' // an index file cannot be used (missing, not an index, other settings, read-only, locked)
  | 'EOUTPUT' // dedup: an output that must not be written (inside an input, not empty, the wrong kind)
  | 'EINTERNAL';

export class NearDupError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'NearDupError';
    this.code = code;
  }
}

/** A short, one-line description of any thrown value (for messages, never a stack). */
export function describeError(err: unknown): string {
  if (err && typeof err === 'object') {
    const e = err as { code?: unknown; message?: unknown };
    const code = typeof e.code === 'string' ? e.code : undefined;
    switch (code) {
      case 'ENOENT':
        return 'no such file or directory';
      case 'EACCES':
      case 'EPERM':
        return 'permission denied';
      case 'ELOOP':
        return 'too many levels of symbolic links (symlink loop)';
      case 'EISDIR':
        return 'is a directory';
      case 'ENOTDIR':
        return 'not a directory';
      case 'EMFILE':
      case 'ENFILE':
        return 'too many open files';
      case 'EIO':
        return 'input/output error';
      default:
        break;
    }
    if (typeof e.message === 'string') return e.message.split('\n')[0] ?? e.message;
  }
  return String(err);
}
