import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const BIN = path.join(ROOT, 'bin', 'neardup.js');

/**
 * The longest a child process may run, in milliseconds, unless the call gives its own: then it
 * is killed (SIGKILL) and the test fails, saying which command it was.
 */
export const CHILD_TIMEOUT = 60_000;

export interface RunResult {
  stdout: string;
  stderr: string;
  code: number;
}

// ---------------------------------------------------------------------------------------------
// The temporary directory of the processes the tests start

/**
 * TMPDIR of every neardup process a test starts: a folder of its own for each test file (made
 * and removed by tests/setup.ts), so that what the runs leave in it is theirs alone.
 */
let runsTmpdir: string | undefined;

export function setRunsTmpdir(dir: string | undefined): void {
  runsTmpdir = dir;
}

/** What a run left in its TMPDIR. */
export interface Leftover {
  command: string;
  /** How the run ended: `exit N`, or the signal that ended it. */
  ended: string;
  /** The run was stopped by a signal the test sent. */
  signalled: boolean;
  entries: string[];
}

const leftovers: Leftover[] = [];

function tmpEntries(): Set<string> {
  if (!runsTmpdir) return new Set();
  try {
    return new Set(readdirSync(runsTmpdir));
  } catch {
    return new Set();
  }
}

function noteLeftovers(command: string, before: Set<string>, ended: string, signalled: boolean): void {
  const entries = [...tmpEntries()].filter((e) => !before.has(e)).sort();
  if (entries.length > 0) leftovers.push({ command, ended, signalled, entries });
}

/**
 * What the runs since the last call left in their TMPDIR, and is still there (the entries are
 * removed). An entry that appeared while runs overlapped is named by each of them that ended
 * after it appeared: one of them made it.
 */
export function takeLeftovers(): Leftover[] {
  const taken: Leftover[] = [];
  for (const l of leftovers.splice(0)) {
    const entries = l.entries.filter((e) => existsSync(path.join(runsTmpdir!, e)));
    if (entries.length > 0) taken.push({ ...l, entries });
  }
  for (const l of taken) for (const e of l.entries) removeTree(path.join(runsTmpdir!, e));
  return taken;
}

/** Removes a file or folder, whatever the modes a test gave what is inside. */
export function removeTree(p: string): void {
  try {
    rmSync(p, { recursive: true, force: true });
  } catch {
    const open = (q: string) => {
      try {
        if (!lstatSync(q).isDirectory()) return;
        chmodSync(q, 0o700);
        for (const e of readdirSync(q)) open(path.join(q, e));
      } catch {
        // gone already
      }
    };
    open(p);
    rmSync(p, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// Running the binary, or another program, with a time limit

export interface RunOptions {
  cwd?: string;
  /** Added to the environment (a value of undefined removes the variable). */
  env?: NodeJS.ProcessEnv;
  input?: string | Buffer;
  /** A command the binary is run through (setpriv ...). */
  wrap?: string[];
  /** Milliseconds before the process is killed and the test fails; CHILD_TIMEOUT unless given. */
  timeout?: number;
}

/** The environment of a child: no colour settings of ours, CI set, TMPDIR the runs' own. */
function childEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NO_COLOR: undefined,
    FORCE_COLOR: undefined,
    CI: 'true',
    ...(runsTmpdir ? { TMPDIR: runsTmpdir } : {}),
    ...extra,
  };
  for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k];
  return env;
}

function spawnFailure(command: string, timeout: number, err: NodeJS.ErrnoException): Error {
  if (err.code === 'ETIMEDOUT') return new Error(`${command}: still running after ${timeout / 1000} s: killed (a hang, or too slow for its time limit)`);
  return new Error(`${command}: could not be run: ${err.message}`);
}

/** A variable in the environment of each command run(): its value names the run. */
const RUN_MARK = 'NEARDUP_TEST_RUN';
let runs = 0;

/** Kills (SIGKILL) every process whose environment has RUN_MARK=`mark` (Linux: read from /proc). */
function killMarked(mark: string): void {
  const wanted = `${RUN_MARK}=${mark}\0`;
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((e) => /^\d+$/.test(e));
  } catch {
    return;
  }
  for (const pid of pids) {
    try {
      if (readFileSync(`/proc/${pid}/environ`, 'latin1').includes(wanted)) process.kill(Number(pid), 'SIGKILL');
    } catch {
      // gone, or not ours to read
    }
  }
}

function syncRun(command: string, file: string, argv: string[], opts: RunOptions): RunResult {
  const timeout = opts.timeout ?? CHILD_TIMEOUT;
  const before = tmpEntries();
  const mark = `${process.pid}-${++runs}`;
  const r = spawnSync(file, argv, {
    cwd: opts.cwd ?? ROOT,
    input: opts.input,
    encoding: 'utf8',
    maxBuffer: 1 << 28,
    timeout,
    killSignal: 'SIGKILL',
    env: childEnv({ ...opts.env, [RUN_MARK]: mark }),
  });
  // the time limit kills the command only: what it started (the program /usr/bin/time runs, a
  // shell's commands) is found by the mark in its environment
  if (r.error && (r.error as NodeJS.ErrnoException).code === 'ETIMEDOUT') killMarked(mark);
  noteLeftovers(command, before, r.signal ? r.signal : `exit ${r.status}`, r.error !== undefined);
  if (r.error) throw spawnFailure(command, timeout, r.error);
  // nothing in this process runs while it waits: the signal came from elsewhere
  if (r.signal) throw new Error(`${command}: ended by ${r.signal}, which this test did not send; stderr:\n${r.stderr.slice(-2000)}`);
  return { stdout: r.stdout, stderr: r.stderr, code: r.status ?? -1 };
}

/** Runs the built binary (as a user would, through bin/neardup.js) and waits for it to end. */
export function run(args: string[], opts: RunOptions = {}): RunResult {
  const [cmd, ...pre] = opts.wrap ?? [process.execPath];
  return syncRun(`neardup ${args.join(' ')}`, cmd!, [...pre, ...(opts.wrap ? [process.execPath] : []), BIN, ...args], opts);
}

/** Runs another program (a shell, mkfifo) and waits for it to end: with a time limit, in the runs' environment. */
export function sh(file: string, args: string[], opts: Omit<RunOptions, 'wrap'> = {}): RunResult {
  return syncRun(`${file} ${args.join(' ')}`, file, args, opts);
}

/** Makes a FIFO (named pipe) at `at`. */
export function mkfifo(at: string): void {
  const r = sh('mkfifo', [at]);
  if (r.code !== 0) throw new Error(`mkfifo ${at}: ${r.stderr.trim()}`);
}

export interface Ended {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs not yet ended: stopped after each test (tests/setup.ts), so none outlives its test. */
const live = new Set<Running>();

/**
 * The built binary, started and not waited for: a test that stops it first waits for a sign
 * that it reached the point to stop it at (waitFor), rather than for some time.
 */
export class Running {
  readonly child: ChildProcess;
  readonly command: string;
  stdout = '';
  stderr = '';
  /** Resolves when the process has ended; rejects if it was still running after its time limit. */
  readonly ended: Promise<Ended>;
  private done = false;
  private signalled = false;

  constructor(args: string[], opts: Omit<RunOptions, 'input' | 'wrap'> & { stdin?: 'pipe' | 'ignore' } = {}) {
    this.command = `neardup ${args.join(' ')}`;
    const timeout = opts.timeout ?? CHILD_TIMEOUT;
    const before = tmpEntries();
    this.child = spawn(process.execPath, [BIN, ...args], { cwd: opts.cwd ?? ROOT, env: childEnv(opts.env), stdio: [opts.stdin ?? 'ignore', 'pipe', 'pipe'] });
    this.child.stdout!.on('data', (d: Buffer) => (this.stdout += d.toString()));
    this.child.stderr!.on('data', (d: Buffer) => (this.stderr += d.toString()));
    live.add(this);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      this.child.kill('SIGKILL');
    }, timeout);
    this.ended = new Promise<Ended>((resolve, reject) => {
      this.child.on('error', (err) => {
        clearTimeout(timer);
        live.delete(this);
        this.done = true;
        reject(new Error(`${this.command}: could not be run: ${err.message}`));
      });
      this.child.on('close', (code, signal) => {
        clearTimeout(timer);
        live.delete(this);
        this.done = true;
        noteLeftovers(this.command, before, signal ?? `exit ${code}`, this.signalled || timedOut);
        if (timedOut) reject(new Error(`${this.command}: still running after ${timeout / 1000} s: killed (a hang, or too slow for its time limit)`));
        else resolve({ code, signal, stdout: this.stdout, stderr: this.stderr });
      });
    });
    // a test that fails before it waits for the end must not also leave an unhandled rejection
    this.ended.catch(() => {});
  }

  get pid(): number {
    return this.child.pid!;
  }

  /**
   * Waits until `check` gives a value (the sign that the run reached a point), looking every few
   * milliseconds, and returns it. With `freeze`, the process is stopped (SIGSTOP) the moment the
   * sign is seen, so that it is still at that point when the test looks at it and signals it.
   * Fails if the run ends before the sign, or if the sign has not come within `timeout` ms.
   */
  async waitFor<T>(what: string, check: () => T | undefined | false, opts: { timeout?: number; freeze?: boolean } = {}): Promise<T> {
    const timeout = opts.timeout ?? CHILD_TIMEOUT;
    const started = Date.now();
    for (;;) {
      const exited = this.done || this.child.exitCode !== null || this.child.signalCode !== null;
      const seen = check();
      if (seen) {
        if (opts.freeze) this.child.kill('SIGSTOP');
        return seen;
      }
      if (exited) {
        throw new Error(
          `${this.command}: ended (${this.child.signalCode ?? `exit ${this.child.exitCode}`}) before ${what}; stderr:\n${this.stderr.slice(-2000)}`,
        );
      }
      if (Date.now() - started > timeout)
        throw new Error(`${this.command}: no sign of ${what} after ${timeout / 1000} s; stderr:\n${this.stderr.slice(-2000)}`);
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  }

  /** Sends `signal`; a frozen process is let go on at once, so that it handles the signal. */
  stop(signal: NodeJS.Signals): void {
    this.signalled = true;
    this.child.kill(signal);
    if (signal !== 'SIGKILL') this.child.kill('SIGCONT');
  }
}

/** Starts the built binary without waiting for it (see Running). */
export function start(args: string[], opts: ConstructorParameters<typeof Running>[1] = {}): Running {
  return new Running(args, opts);
}

/** Kills the runs still going (a test that failed before it waited for them); returns their commands. */
export async function stopStrays(): Promise<string[]> {
  const strays = [...live];
  for (const r of strays) {
    r.child.kill('SIGKILL');
    await r.ended.catch(() => {});
  }
  return strays.map((r) => r.command);
}

// ---------------------------------------------------------------------------------------------
// A step run as an unprivileged user

/** The user a step runs as when the tests run as root (root reads anything): nobody. */
export const NOBODY = { name: 'nobody', uid: 65534, gid: 65534 };

/** The first folder above (or at) `p` that others may not enter (execute bit off for others), if any. */
function closedFolderAbove(p: string): string | undefined {
  const parts = path.resolve(p).split(path.sep);
  for (let i = 1; i <= parts.length; i++) {
    const dir = parts.slice(0, i).join(path.sep) || path.sep;
    try {
      const st = statSync(dir);
      if (st.isDirectory() && (st.mode & 0o001) === 0 && st.uid !== NOBODY.uid) return dir;
    } catch {
      return dir;
    }
  }
  return undefined;
}

let unprivilegedCache: { wrap?: string[]; skip?: string } | undefined;

/**
 * How to run a step as a user who lacks our rights: as root, through setpriv as nobody; as any
 * other user, as ourselves (a mode-bit test then applies to us). `skip` says why it cannot be
 * done here: no setpriv, or the clone, node, or the temporary directory closed to nobody
 * (a clone inside a folder other users cannot enter).
 */
export function unprivileged(): { wrap?: string[]; skip?: string } {
  if (unprivilegedCache) return unprivilegedCache;
  const found = (): { wrap?: string[]; skip?: string } => {
    if (process.getuid?.() !== 0) return {};
    const wrap = ['setpriv', `--reuid=${NOBODY.uid}`, `--regid=${NOBODY.gid}`, '--clear-groups'];
    const who = `user ${NOBODY.name} (uid ${NOBODY.uid})`;
    for (const [p, what] of [
      [ROOT, 'the clone'],
      [process.execPath, 'node'],
      [tmpdir(), 'the temporary directory'],
      ...(runsTmpdir ? [[runsTmpdir, 'the temporary directory'] as const] : []),
    ] as const) {
      const closed = closedFolderAbove(p);
      if (closed) return { skip: `${who} cannot enter ${closed}, which holds ${what} (${p})` };
    }
    // a folder made as the runs' TMPDIR is made (tests/setup.ts): open to all, as /tmp
    const probe = mkdtempSync(path.join(tmpdir(), 'neardup-probe-'));
    try {
      chmodSync(probe, 0o1777);
      const env = childEnv({ TMPDIR: probe });
      const version = spawnSync(wrap[0]!, [...wrap.slice(1), process.execPath, BIN, '--version'], {
        cwd: probe,
        env,
        encoding: 'utf8',
        timeout: CHILD_TIMEOUT,
      });
      if (version.error) return { skip: `${who}: ${wrap[0]} could not be run: ${version.error.message}` };
      if (version.status !== 0) return { skip: `${who} cannot run neardup from ${ROOT}: ${version.stderr.trim().split('\n')[0]}` };
      const write = spawnSync(
        wrap[0]!,
        [
          ...wrap.slice(1),
          process.execPath,
          '-e',
          "const fs = require('node:fs'); fs.rmdirSync(fs.mkdtempSync(require('node:path').join(require('node:os').tmpdir(), 'probe-')))",
        ],
        { cwd: probe, env, encoding: 'utf8', timeout: CHILD_TIMEOUT },
      );
      if (write.status !== 0) return { skip: `${who} cannot write to a folder open to all under ${tmpdir()}: ${write.stderr.trim().split('\n')[0]}` };
      return { wrap };
    } finally {
      removeTree(probe);
    }
  };
  unprivilegedCache = found();
  if (unprivilegedCache.skip) console.warn(`neardup tests: the steps run as an unprivileged user are skipped: ${unprivilegedCache.skip}`);
  return unprivilegedCache;
}

/** A test title, with the reason when the test is skipped. */
export function titled(title: string, skip: string | undefined): string {
  return skip ? `${title} (skipped: ${skip})` : title;
}

// ---------------------------------------------------------------------------------------------
// Golden files

/** Masks what legitimately changes between runs (the elapsed time in the text summary). */
export function stable(s: string): string {
  return s.replace(/ · \d+\.\d\ds\n/g, ' · <time>\n');
}

export const GOLDEN_DIR = path.join(ROOT, 'fixtures', 'golden');

/**
 * Compares a run with its golden file (stdout, stderr and exit code, as a reader sees them).
 * UPDATE_GOLDEN=1 writes the file instead; without it, a missing golden file is a failure.
 */
export function golden(name: string, args: string[], r: RunResult, dir = GOLDEN_DIR): { actual: string; expected: string } {
  const file = path.join(dir, `${name}.txt`);
  const actual = `$ neardup ${args.join(' ')}\n--- stdout\n${stable(r.stdout)}--- stderr\n${r.stderr}--- exit code: ${r.code}\n`;
  if (process.env.UPDATE_GOLDEN) {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, actual);
  } else if (!existsSync(file)) {
    throw new Error(
      `golden file missing: ${path.relative(ROOT, file)}; record it with UPDATE_GOLDEN=1 npm test, read it, and commit it\n--- this run gave:\n${actual}`,
    );
  }
  return { actual, expected: readFileSync(file, 'utf8') };
}

/** One test per case: run the binary with the case's arguments and compare with its golden file. */
export function goldenCases(
  cases: readonly (readonly [string, string[]])[],
  it: (name: string, fn: () => void) => void,
  expect: (actual: string) => { toBe(expected: string): void },
  opts: { cwd?: string } = {},
): void {
  for (const [name, args] of cases) {
    it(name, () => {
      const { actual, expected } = golden(name, args, run(args, opts));
      expect(actual).toBe(expected);
    });
  }
}

/** A seeded pseudo-random number generator (xorshift32) giving numbers in [0, 1). */
export function prng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}
