import { describe, expect, it, vi } from 'vitest';
import { ProgressBar, showProgress } from '../src/cli/progress.js';

describe('progress bar', () => {
  it('is shown only on a terminal, and not in CI or on a dumb terminal', () => {
    expect(showProgress({ isTTY: true }, {})).toBe(true);
    expect(showProgress({ isTTY: false }, {})).toBe(false);
    expect(showProgress({}, {})).toBe(false);
    expect(showProgress({ isTTY: true }, { CI: 'true' })).toBe(false);
    expect(showProgress({ isTTY: true }, { TERM: 'dumb' })).toBe(false);
  });
  it('draws done/total, rate and time left on one line, and clears it', () => {
    vi.useFakeTimers({ toFake: ['performance'] });
    try {
      const out: string[] = [];
      const bar = new ProgressBar({ write: (s: string) => out.push(s), columns: 120 });
      bar.update(1, 100); // too early to bother
      expect(out).toEqual([]);
      vi.advanceTimersByTime(1000);
      bar.update(50, 100);
      expect(out).toHaveLength(1);
      expect(out[0]).toMatch(/^\r\[#{12}\.{12}\] 50\/100 documents · \d+\/s · \d+s left\u001b\[K$/);
      bar.clear();
      expect(out[1]).toBe('\r\u001b[K');
      bar.clear(); // nothing shown: nothing to clear
      expect(out).toHaveLength(2);
    } finally {
      vi.useRealTimers();
    }
  });
});
