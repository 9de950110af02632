/** The command line read at a glance, before commander reads it (see start.ts). Imports nothing. */

/**
 * The paths a `scan` command line names, at a glance (before commander reads it), or undefined
 * when it is not a scan that may want a worker: another command, help, one thread, a list of
 * paths (--files-from) or standard input, or only the settings printed. Every word that is not
 * an option is taken for a path (an option's value too: one that is not a file costs a failed
 * stat). A wrong guess costs only time: the scan's own check (main.ts) decides again, and a
 * worker no pool takes is stopped.
 */
export function scanPathsAtAGlance(args: readonly string[]): string[] | undefined {
  if (args[0] !== 'scan') return undefined;
  const paths: string[] = [];
  for (let i = 1; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') {
      paths.push(...args.slice(i + 1));
      break;
    }
    if (a === '-' || a === '-h' || a === '--help' || a === '--print-config' || a === '--files-from' || a.startsWith('--files-from=')) return undefined;
    if (a === '-j' || a === '--threads') {
      if (args[i + 1] === '1') return undefined;
      i++;
      continue;
    }
    if (a === '--threads=1' || a === '-j1') return undefined;
    if (!a.startsWith('-')) paths.push(a);
  }
  return paths;
}
