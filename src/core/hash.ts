import { hash } from 'node:crypto';

/**
 * Seeded 32-bit hashing, all in Math.imul / unsigned-shift arithmetic (no BigInt, no doubles
 * beyond 2^32). Every hash neardup computes goes through these functions, so changing the seed
 * changes every signature consistently.
 */

/** murmur3's 32-bit finaliser: a bijection on uint32 with full avalanche. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Mixes a value with a seed: distinct seeds give independent-looking hash functions. */
export function mixSeed(h: number, seed: number): number {
  return fmix32((h ^ Math.imul(seed | 0, 0x9e3779b1)) + 0x7f4a7c15);
}

/** Combines a running hash with the next 32-bit value (order-sensitive). */
export function combine(h: number, v: number): number {
  h = Math.imul(h ^ v, 0x01000193);
  return (h ^ (h >>> 15)) >>> 0;
}

/** Hashes a string's UTF-16 code units (FNV-1a style, then finalised), seeded. */
export function hashString(s: string, seed = 0): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return fmix32(h);
}

/** Deterministic sequence of uint32 values from a seed (splitmix32), for derived parameters. */
export function splitmix32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/**
 * The content hash of a text: 64 bits of its SHA-1, as 16 hex digits (native code: faster
 * than hashing in JavaScript). Baselines and --explain rely on it: one function for both. Bytes
 * hash as the text they hold in UTF-8 does.
 */
export function contentHash(s: string | Uint8Array): string {
  // one call into native code (createHash().update().digest() is three, and an object)
  return hash('sha1', s, 'hex').slice(0, 16);
}
