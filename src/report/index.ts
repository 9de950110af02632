/** The closed registry of scan report formats. */
import type { ScanResult } from '../types.js';
import { renderJson } from './json.js';
import { renderText } from './text.js';

export type Format = 'text' | 'json';
export const FORMATS: readonly Format[] = ['text', 'json'];

export interface ReportContext {
  colorLevel: 0 | 1 | 2 | 3;
}

export type Reporter = (result: ScanResult, ctx: ReportContext) => string;

export const REPORTERS = {
  text: (result, ctx) => renderText(result, { colorLevel: ctx.colorLevel }),
  json: (result) => renderJson(result),
} satisfies Record<Format, Reporter>;

/** Machine formats are never coloured. */
export const COLORED: Record<Format, boolean> = { text: true, json: false };
