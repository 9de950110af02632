/**
 * V8 settings for the CLI's process (imported first by start.ts, before any other module; a
 * program that imports the library keeps its own). Only on Node 20, where they were measured, and never over a
 * setting of the user's own (in NODE_OPTIONS or on node's command line).
 *
 * The interrupt budget, 8 times V8's (how much a function runs before V8 considers optimising
 * it): a scan's hot loops are in WebAssembly, and its JavaScript is mostly code that runs a
 * while and is done (the walk, each stage's set-up, the report). V8 optimised 91 functions in a
 * default scan of SpamAssassin, with TurboFan on background threads that compete with the two
 * busy threads for the two cores; with this budget, 27. Measured on a 2-core machine: wall
 * 0.61 -> 0.57 s, CPU 1.03 -> 0.93 s; record files and the scale corpus within the noise.
 */
import { setFlagsFromString } from 'node:v8';

/** V8's default interrupt budget in Node 20 (V8 11.3), times 8. */
const INTERRUPT_BUDGET = 8 * 67584;

const given = `${process.env.NODE_OPTIONS ?? ''} ${process.execArgv.join(' ')}`;
if (process.versions.node.startsWith('20.') && !/--interrupt[-_]budget(=|\s|$)/.test(given)) {
  setFlagsFromString(`--interrupt-budget=${INTERRUPT_BUDGET}`);
}
