/** What a run passes over and why: its skips, errors and warnings, kept in order and passed on as events. */
import type { Failure, ScanEvent, Skip, Warning } from '../model/types.js';

export class RunLog {
  readonly skipped: Skip[] = [];
  readonly errors: Failure[] = [];
  readonly warnings: Warning[] = [];
  constructor(readonly emit: (event: ScanEvent) => void = () => {}) {}
  skip(skip: Skip): void {
    this.skipped.push(skip);
    this.emit({ type: 'skip', skip });
  }
  error(error: Failure): void {
    this.errors.push(error);
    this.emit({ type: 'error', error });
  }
  warning(warning: Warning): void {
    this.warnings.push(warning);
    this.emit({ type: 'warning', warning });
  }
}
