/**
 * Colour for the human-readable reports: the one module that imports chalk. The level is always
 * explicit (never chalk's global state), so machine formats and tests get none.
 */
import { Chalk, supportsColor } from 'chalk';
import type { ColorMode } from '../model/settings.js';

/**
 * The colour level for a stream: `never` and NO_COLOR (non-empty) turn colour off, `always`
 * and FORCE_COLOR turn it on, `auto` colours only a TTY.
 */
export function colorLevel(mode: ColorMode, isTTY: boolean, env: NodeJS.ProcessEnv = process.env): 0 | 1 | 2 | 3 {
  if (mode === 'never') return 0;
  const detected = supportsColor ? supportsColor.level : 0;
  if (mode === 'always') return Math.max(1, detected) as 1 | 2 | 3;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return 0;
  const force = env.FORCE_COLOR;
  if (force !== undefined) {
    if (force === '0' || force === 'false') return 0;
    const n = Number(force);
    return (n >= 1 && n <= 3 ? n : Math.max(1, detected)) as 1 | 2 | 3;
  }
  return isTTY ? detected : 0;
}

/** The colours the human-readable reports use, without exposing chalk to other modules. */
export interface Style {
  bold(s: string): string;
  dim(s: string): string;
  red(s: string): string;
  green(s: string): string;
  yellow(s: string): string;
  cyan(s: string): string;
}

export function makeStyle(level: 0 | 1 | 2 | 3): Style {
  const c = new Chalk({ level });
  return { bold: (s) => c.bold(s), dim: (s) => c.dim(s), red: (s) => c.red(s), green: (s) => c.green(s), yellow: (s) => c.yellow(s), cyan: (s) => c.cyan(s) };
}

/** A, B, ..., Z, AA, ...: how a group's members are labelled (the dedup report too). */
export function label(i: number): string {
  let s = '';
  let n = i;
  do {
    s = String.fromCharCode(65 + (n % 26)) + s;
    n = Math.floor(n / 26) - 1;
  } while (n >= 0);
  return s;
}
