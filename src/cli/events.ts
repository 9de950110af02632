/**
 * A run's errors and warnings on stderr as they happen: every error, the first few warnings one
 * by one, then one line for the rest (the JSON reports list every one).
 */
import type { ScanEvent } from '../model/types.js';

export const WARNINGS_SHOWN = 5;

export function stderrEvents(write: (line: string) => void = (line) => process.stderr.write(`neardup: ${line}\n`)) {
  let count = 0;
  return {
    onEvent(e: ScanEvent): void {
      if (e.type === 'error') write(`${e.error.path}: ${e.error.message}`);
      if (e.type === 'warning' && ++count <= WARNINGS_SHOWN) write(`warning: ${e.warning.path}: ${e.warning.message}`);
    },
    /** After the run: the count of warnings not shown. */
    finish(): void {
      if (count > WARNINGS_SHOWN) write(`warning: ${count - WARNINGS_SHOWN} more warnings not shown (${count} in all; the JSON report lists every one)`);
    },
  };
}
