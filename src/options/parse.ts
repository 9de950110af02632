/**
 * Parsing and checking option values: every message reads `--flag: problem`, so a config file
 * can report the same problem under its own key.
 */
import { NearDupError } from '../model/errors.js';

/**
 * A bad option value. `flag` names the option as on the command line (`--threshold`), `problem`
 * says what is wrong with it; a config file reports the same problem under its own key.
 */
export class OptionError extends NearDupError {
  constructor(
    readonly flag: string,
    readonly problem: string,
  ) {
    super('EOPTION', `${flag}: ${problem}`);
  }
}

/** Every message here reads `--flag: problem`. */
export function fail(message: string): never {
  const m = /^(--[a-z-]+): ([\s\S]*)$/.exec(message);
  throw m ? new OptionError(m[1]!, m[2]!) : new NearDupError('EOPTION', message);
}

export function toNumber(name: string, value: number | string): number {
  const n = typeof value === 'number' ? value : value.trim() === '' ? NaN : Number(value);
  if (!Number.isFinite(n)) fail(`${name}: expected a number, got '${value}'`);
  return n;
}

export function toInteger(name: string, value: number | string, min: number, max: number): number {
  const n = toNumber(name, value);
  if (!Number.isInteger(n) || n < min || n > max) {
    fail(`${name}: expected a whole number from ${min} to ${max}, got '${value}'`);
  }
  return n;
}

const SIZE_UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, kb: 1024, m: 1024 ** 2, mb: 1024 ** 2, g: 1024 ** 3, gb: 1024 ** 3 };

/** Parses `123`, `10K`, `512k`, `10M`, `1G` (binary multiples) into bytes. */
export function parseSize(value: number | string, name = '--max-filesize'): number {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0) fail(`${name}: expected a size like 10M, got '${value}'`);
    return Math.floor(value);
  }
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(value);
  const mult = m ? SIZE_UNITS[m[2]!.toLowerCase()] : undefined;
  if (!m || mult === undefined) fail(`${name}: expected a size like 500K, 10M or 1G, got '${value}'`);
  return Math.floor(Number(m[1]) * mult);
}

export function oneOf<T extends string>(name: string, value: string, allowed: readonly T[]): T {
  const v = value.trim().toLowerCase();
  if (!(allowed as readonly string[]).includes(v)) {
    fail(`${name}: expected ${allowed.length === 2 ? allowed.join(' or ') : `one of ${allowed.join(', ')}`}, got '${value}'`);
  }
  return v as T;
}

export function fieldName(name: string, value: string): string {
  if (value === '') fail(`${name}: expected a field name, got ''`);
  return value;
}

export function nonEmptyPath(flag: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.trim() === '') fail(`${flag}: expected a file path, got '${value}'`);
  return value;
}
