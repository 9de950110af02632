/** Writing reports: large text goes out in slices, never splitting a character. */
import { describe, expect, it } from 'vitest';
import { inSlices } from '../src/cli/output.js';

describe('inSlices', () => {
  it('writes small text in one piece', () => {
    const parts: string[] = [];
    inSlices('abc', (p) => void parts.push(p));
    expect(parts).toEqual(['abc']);
  });
  it('writes large text in slices that join back to it, none ending inside a surrogate pair', () => {
    // a megabyte of 'a', then emoji (two UTF-16 units each) straddling the slice boundary
    const text = 'a'.repeat((1 << 20) - 1) + '😀'.repeat(1000) + 'z'.repeat(3 << 20);
    const parts: string[] = [];
    inSlices(text, (p) => void parts.push(p));
    expect(parts.length).toBeGreaterThan(3);
    expect(parts.join('')).toBe(text);
    for (const p of parts) {
      expect(p.length).toBeLessThanOrEqual(1 << 20);
      // each slice is valid UTF-16 on its own: it encodes without replacement characters
      expect(Buffer.from(p, 'utf8').toString('utf8')).toBe(p);
    }
  });
});
