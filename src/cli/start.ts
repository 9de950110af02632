/**
 * The CLI's first module (bin/neardup.js imports it): V8's settings, then, for a scan that looks
 * big, the worker thread started at once, before the CLI's own modules (commander, the scan's
 * ~50 modules) are loaded; then the CLI (main.ts). A worker takes 70 ms or more to start; begun
 * here rather than once the command line is parsed, it is ready about 80 ms sooner, to load the
 * documents the walk finds.
 */
// first: V8 settings, before any other module's code runs
import './v8-flags.js';
import { looksLarge, prestartWorker } from '../engine/prestart.js';
import { scanPathsAtAGlance } from './glance.js';

const paths = scanPathsAtAGlance(process.argv.slice(2));
if (paths && looksLarge(paths)) prestartWorker();

await import('./main.js');
