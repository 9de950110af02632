/**
 * A progress line on stderr for long scans: documents done, rate and time left. Only when
 * stderr is a terminal and not in CI; redrawn at most 10 times a second; cleared before any
 * other line is written, so it never mixes with messages (and never touches stdout).
 */
export function showProgress(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv): boolean {
  return stream.isTTY === true && !env.CI && env.TERM !== 'dumb';
}

export class ProgressBar {
  private readonly started = performance.now();
  private last = 0;
  private shown = false;

  constructor(private readonly stream: { write(s: string): unknown; columns?: number }) {}

  update(done: number, total: number): void {
    const now = performance.now();
    if (done < total && now - this.last < 100) return;
    // only worth showing for scans that take a while
    if (!this.shown && now - this.started < 300) return;
    this.last = now;
    const secs = (now - this.started) / 1000;
    const rate = done / Math.max(secs, 1e-3);
    const eta = rate > 0 ? (total - done) / rate : 0;
    const width = 24;
    const filled = total ? Math.round((done / total) * width) : width;
    const line = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} documents · ${Math.round(rate)}/s · ${eta.toFixed(0)}s left`;
    this.stream.write(`\r${line.slice(0, (this.stream.columns ?? 80) - 1)}\u001b[K`);
    this.shown = true;
  }

  clear(): void {
    if (!this.shown) return;
    this.stream.write('\r\u001b[K');
    this.shown = false;
  }
}
