/**
 * CSV, RFC 4180: a header, then one row per verified pair (a, b, jaccard, containment, group),
 * by group then by pair; CRLF line ends; a field is quoted when it holds a comma, a double quote,
 * CR or LF, with its double quotes doubled.
 */

import { round4 } from '../core/similarity.js';
import type { ScanResult } from '../model/types.js';

export const CSV_HEADER = ['a', 'b', 'jaccard', 'containment', 'group'] as const;

export function csvField(value: string | number): string {
  const s = String(value);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function row(fields: readonly (string | number)[]): string {
  return `${fields.map(csvField).join(',')}\r\n`;
}

export function renderCsv(result: ScanResult): string {
  const path = (i: number) => result.documents[i]!.path;
  let out = row(CSV_HEADER);
  for (const g of result.groups) {
    for (const p of g.pairs) out += row([path(p.a), path(p.b), round4(p.jaccard), round4(p.containment), g.id]);
  }
  return out;
}
