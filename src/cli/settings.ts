/**
 * Settings in force for one command: defaults < config file < flags, in one step, and
 * --print-config to show them.
 */

import type { ResolvedOptions, RunOptions } from '../model/settings.js';
import { CONFIG_KEYS, type ConfigKey, findConfig, type LoadedConfig, loadConfig } from '../options/config.js';
import { formatShingle } from '../options/scan.js';
import type { CompareCommand, Given, ScanCommand } from './program.js';

export type Source = 'config' | 'flag';

export interface Merged<C> {
  cmd: C;
  config: LoadedConfig | undefined;
  /** Where each setting that is not a default came from. */
  sources: Record<string, Source>;
}

/** The config file to read: --config FILE, none with --no-config, else the nearest one. */
function configFor(option: string | false | undefined, cwd: string, root: string): LoadedConfig | undefined {
  if (option === false) return undefined;
  const file = option ?? findConfig(cwd, root);
  return file === undefined ? undefined : loadConfig(file, cwd);
}

/** Lays the flags given on the command line over the config file's values. */
export function mergeSettings<C extends ScanCommand | CompareCommand>(cmd: C, given: Given, command: 'scan' | 'compare', cwd: string, root: string): Merged<C> {
  const config = configFor(cmd.config, cwd, root);
  const merged: Record<string, unknown> = { ...cmd };
  const sources: Record<string, Source> = {};
  for (const k of given) if (k !== 'config' && k !== 'printConfig') sources[k] = 'flag';
  if ('paths' in cmd && cmd.paths.length > 0) sources.paths = 'flag';
  for (const [key, value] of Object.entries(config?.values ?? {})) {
    const spec = CONFIG_KEYS[key as ConfigKey];
    if (command === 'compare' && !('compare' in spec && spec.compare)) continue; // a scan setting
    if (key === 'paths') {
      if ((merged.paths as string[]).length === 0) {
        merged.paths = value;
        sources.paths = 'config';
      }
    } else if (!given.has(key)) {
      merged[key] = value;
      sources[key] = 'config';
    }
  }
  return { cmd: merged as C, config, sources };
}

const finite = (n: number) => (Number.isFinite(n) ? n : 'all');

/** The settings in force, as --print-config prints them. */
export function printedConfig(merged: Merged<ScanCommand | CompareCommand>, settings: ResolvedOptions, run: RunOptions, command: 'scan' | 'compare'): string {
  const scan = command === 'scan';
  const cmd = merged.cmd as ScanCommand;
  const out = {
    command,
    configFile: merged.config?.file ?? null,
    ...(scan ? { paths: cmd.paths.length ? cmd.paths : ['.'] } : {}),
    settings: {
      shingle: formatShingle(settings.shingle),
      metric: settings.metric,
      threshold: settings.threshold,
      numPerm: settings.numPerm,
      seed: settings.seed,
      ...(scan ? { bands: settings.bands, rows: settings.rows } : {}),
      stem: settings.stem,
      stopwords: settings.stopwords,
      ...(scan ? { hidden: settings.hidden, ignore: settings.respectIgnore, glob: settings.globs, follow: cmd.follow ?? false } : {}),
      maxFilesize: settings.maxFileSize,
      textField: settings.textField,
      ...(scan ? { idField: settings.idField ?? null, records: settings.records } : {}),
    },
    report: {
      format: run.format,
      output: run.output ?? null,
      color: run.color,
      exitZero: run.exitZero,
      ...(scan
        ? {
            baseline: run.baseline ?? null,
            updateBaseline: run.updateBaseline,
            maxGroups: run.maxGroups,
            explain: run.explain,
            skipErrors: cmd.skipErrors ?? false,
          }
        : {}),
      passages: finite(run.passages),
      context: finite(run.context),
    },
    sources: Object.fromEntries(Object.entries(merged.sources).sort(([a], [b]) => (a < b ? -1 : 1))),
  };
  return `${JSON.stringify(out, null, 2)}\n`;
}
