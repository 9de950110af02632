/** Global setup of the e2e project: its tests run bin/neardup.js, which runs the build in dist/. */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export default function setup(): void {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const entry = path.join(root, 'dist', 'cli', 'start.js');
  if (!existsSync(entry)) throw new Error(`${path.relative(root, entry)} is missing: the e2e tests run the build (npm run build; npm test builds first)`);
}
