import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { appYaml, layOutSandbox, sandboxConfigLines, sandboxPaths, simulatorEnv, type Sandbox } from '../../src/demo/sandbox.js';
import {
  buildSimulatedApp,
  readSimulatorCalls,
  readSimulatorState,
  updateSimulatorState,
  type SimulatedApp,
  type SimulatedAppsServer,
  type SimulatorCall,
  type SimulatorState,
} from '../../src/demo/simulated-apps.js';
import { openStore } from '../../src/adapters/store/open-store.js';
import { templatePath } from '../../src/adapters/store/pglite-template.js';
import { createLogger } from '../../src/logging/logger.js';
import { Redactor } from '../../src/logging/redactor.js';
import { ticketFileText, type TicketBuilder } from './ticket-builder.js';

/**
 * opsbeat as a real process: `node --import tsx src/cli.ts <command> --config <file>`, run from
 * the repository root, against a test sandbox (`layOutTestSandbox`, which test/helpers/world.ts
 * lays out its world with too) — a file board, the Fly simulator's state and calls files, the
 * apps' HTTP side (served by this test process) and a YAML configuration.
 *
 *   const box = await createProcessSandbox({ tickets: [new TicketBuilder('OPS-1')…] });
 *   const result = await box.run(['once']);
 *   expect(result.code).toBe(0);
 */

/** The repository root: the child's cwd, so `--import tsx` and `src/cli.ts` resolve. */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface ProcessResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  durationMs: number;
}

export interface RunningProcess {
  child: ChildProcess;
  pid: number;
  stdout(): string;
  stderr(): string;
  /** Settles when the process has exited and its streams are drained. */
  exited: Promise<ProcessResult>;
  /** Poll stdout+stderr until `test` matches; fails when the process exits first or time runs out. */
  waitForOutput(test: RegExp | ((text: string) => boolean), timeoutMs?: number): Promise<void>;
  kill(signal: NodeJS.Signals): void;
}

export interface SpawnOptions {
  /** The whole environment of the child (nothing of the test runner's leaks in). */
  env: NodeJS.ProcessEnv;
  /** Kill (SIGKILL) a process that runs longer than this; default 300 s. */
  timeoutMs?: number;
}

/** Start `opsbeat <args>` as a child process. */
export function spawnOpsbeat(args: readonly string[], options: SpawnOptions): RunningProcess {
  const started = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
    cwd: REPO_ROOT,
    // An undefined value means "not set" (unset a sandbox default).
    env: Object.fromEntries(Object.entries(options.env).filter(([, v]) => v !== undefined)),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const limit = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 300_000);
  let done = false;
  const exited = new Promise<ProcessResult>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => {
      done = true;
      clearTimeout(limit);
      resolve({ code, signal, stdout, stderr, durationMs: Math.round(performance.now() - started) });
    });
  });
  return {
    child,
    pid: child.pid!,
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    async waitForOutput(test, timeoutMs = 60_000) {
      const matches = (): boolean => (typeof test === 'function' ? test(stdout + stderr) : test.test(stdout + stderr));
      await waitUntil(() => {
        if (matches()) return true;
        if (done) throw new Error(`opsbeat ${args.join(' ')} exited before the output showed ${String(test)}\n--- stdout\n${stdout}\n--- stderr\n${stderr}`);
        return false;
      }, { timeoutMs, what: `output matching ${String(test)}` });
    },
    kill: (signal) => void child.kill(signal),
  };
}

/** Run `opsbeat <args>` to the end. */
export async function runOpsbeat(args: readonly string[], options: SpawnOptions): Promise<ProcessResult> {
  return spawnOpsbeat(args, options).exited;
}

/** The environment every opsbeat child starts from: PATH and HOME only. */
export function baseEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: process.env.HOME, ...extra };
}

/** Poll `check` until it returns true (or a value other than false/undefined); throws after `timeoutMs`. */
export async function waitUntil<T>(
  check: () => T | false | undefined | Promise<T | false | undefined>,
  options: { timeoutMs?: number; intervalMs?: number; what: string },
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  for (;;) {
    const value = await check();
    if (value !== false && value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${options.what}`);
    await sleep(options.intervalMs ?? 100);
  }
}

/** A TCP port nobody listens on right now (for `http.port`: with port 0 a test cannot know it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** Whether a process still exists (a zombie of ours counts as gone only once reaped). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export type SandboxTicket = TicketBuilder | { id: string; text: string };

/** What a test sandbox starts with; every field has a default. */
export interface TestSandboxOptions {
  tickets?: SandboxTicket[];
  /** Simulated apps; default: `defaultApps()`. */
  apps?: Record<string, SimulatedApp>;
  images?: SimulatorState['images'];
  faults?: SimulatorState['faults'];
  deployDelayMs?: number;
  /** Merged over the default environment (PATH, HOME, FLY_API_TOKEN, simulator files). */
  env?: NodeJS.ProcessEnv;
}

export interface ProcessSandboxOptions extends TestSandboxOptions {
  /** YAML lines added to the configuration (merged as `sandboxConfigYaml` says); a function gets the apps' URL. */
  configYaml?: string[] | ((appsUrl: string) => string[]);
  /**
   * Start with an embedded store that is already created and migrated (copied from a cached
   * seed), sparing every sandbox PGlite's slow initdb. Default true; false exercises opsbeat's
   * own first start.
   */
  seedStore?: boolean;
}

/** A sandbox laid out for a test, with what tests read and change in it. */
export interface TestSandbox extends Sandbox {
  appsUrl: string;
  apps: SimulatedAppsServer;
  configText: string;
  /** opsbeat's environment. */
  env: NodeJS.ProcessEnv;
  writeTicket(ticket: SandboxTicket): Promise<void>;
  ticketFile(id: string): Promise<string>;
  flyCalls(): Promise<Extract<SimulatorCall, { kind: 'call' }>[]>;
  /** argv of every `fly deploy` so far. */
  deployCalls(): Promise<string[][]>;
  fly(): Promise<SimulatorState>;
  updateFly(change: (state: SimulatorState) => void): Promise<void>;
}

/**
 * Lay out a test sandbox in `dir` (src/demo/sandbox.ts does the layout): the options' apps (or
 * the two default ones), the tickets, and `sandboxConfigYaml` with the test's configuration lines
 * (and flyctl timeouts of its own, if given). The caller closes `apps`.
 */
export async function layOutTestSandbox(
  dir: string,
  options: TestSandboxOptions & { configYaml: (appsUrl: string) => string[]; flyTimeouts?: string; now: Date },
): Promise<TestSandbox> {
  const sandbox = sandboxPaths(dir);
  const fly: SimulatorState = {
    deployDelayMs: options.deployDelayMs ?? 50,
    apps: options.apps ?? defaultApps(options.now),
    images: options.images ?? {},
    faults: options.faults ?? [],
  };
  const { apps, configText } = await layOutSandbox(sandbox, fly, (appsUrl) =>
    sandboxConfigYaml({ ...sandbox, appsUrl, flyTimeouts: options.flyTimeouts, extra: options.configYaml(appsUrl) }),
  );
  const writeTicket = async (t: SandboxTicket): Promise<void> => {
    const { id, text } = 'text' in t ? t : { id: t.build().id, text: ticketFileText(t.build()) };
    await writeFile(path.join(sandbox.boardDir, `${id}.md`), text);
  };
  for (const t of options.tickets ?? []) await writeTicket(t);
  const flyCalls = async () =>
    (await readSimulatorCalls(sandbox.callsFile)).filter((c): c is Extract<SimulatorCall, { kind: 'call' }> => c.kind === 'call');
  return {
    ...sandbox,
    appsUrl: apps.url,
    apps,
    configText,
    env: baseEnv({ ...simulatorEnv(sandbox, 'test-token-for-the-simulator'), ...options.env }),
    writeTicket,
    ticketFile: (id) => readFile(path.join(sandbox.boardDir, `${id}.md`), 'utf8'),
    flyCalls,
    deployCalls: async () => (await flyCalls()).filter((c) => c.argv[0] === 'deploy').map((c) => c.argv),
    fly: () => readSimulatorState(sandbox.stateFile),
    updateFly: (change) => updateSimulatorState(sandbox.stateFile, change),
  };
}

export interface ProcessSandbox extends Omit<TestSandbox, 'apps' | 'configText'> {
  /** The console chat's transcript (JSON lines). */
  chatFile: string;
  /** `opsbeat <args> --config <file>` to the end; `env` is merged over the sandbox's. */
  run(args: readonly string[], options?: { env?: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<ProcessResult>;
  /** The same, left running (a daemon, or a process to kill); stopped by `close` if still alive. */
  spawn(args: readonly string[], options?: { env?: NodeJS.ProcessEnv; timeoutMs?: number }): RunningProcess;
  /** Every file of the board folder, by name. */
  boardFiles(): Promise<Record<string, string>>;
  chatTranscript(): Promise<string>;
  /** The images deployed, in order. */
  deployedImages(): Promise<string[]>;
  /** `opsbeat status --json`, parsed. */
  status(): Promise<StatusJson>;
  close(): Promise<void>;
}

/** What `opsbeat status --json` prints. */
export interface StatusJson {
  heartbeats: { hb: string; trigger: string; outcome: string; summary: string | null; finishedAt: string | null }[];
  deployments: { id: string; ticket: string; app: string; image: string; state: string; releaseVersion: number | null; failure: string | null }[];
  open: { kind: string; ticket: string; reason: string; text: string }[];
}

export async function createProcessSandbox(options: ProcessSandboxOptions = {}): Promise<ProcessSandbox> {
  const dir = await mkdtemp(path.join(tmpdir(), 'opsbeat-process-'));
  if (options.seedStore ?? true) await cp(await seedStore(), path.join(dir, 'data', 'pglite'), { recursive: true });
  const { configYaml } = options;
  const box = await layOutTestSandbox(dir, {
    ...options,
    configYaml: (appsUrl) => (typeof configYaml === 'function' ? configYaml(appsUrl) : (configYaml ?? [])),
    now: new Date(),
  });
  const { boardDir, dataDir, callsFile, configFile, env, deployCalls } = box;
  let apps: SimulatedAppsServer | undefined = box.apps;
  const children = new Set<RunningProcess>();
  const spawnHere = (args: readonly string[], o: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): RunningProcess => {
    const child = spawnOpsbeat([...args, '--config', configFile], { env: { ...env, ...o.env }, timeoutMs: o.timeoutMs });
    children.add(child);
    void child.exited.finally(() => children.delete(child)).catch(() => undefined);
    return child;
  };
  const run = (args: readonly string[], o: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}) => spawnHere(args, o).exited;

  const chatFile = path.join(dataDir, 'chat.jsonl');
  return {
    ...box,
    chatFile,
    run,
    spawn: spawnHere,
    boardFiles: async () => {
      const names = await readdir(boardDir);
      return Object.fromEntries(await Promise.all(names.map(async (n) => [n, await readFile(path.join(boardDir, n), 'utf8')] as const)));
    },
    chatTranscript: () => readFile(chatFile, 'utf8').catch(() => ''),
    deployedImages: async () => (await deployCalls()).map((argv) => argv[argv.indexOf('--image') + 1] ?? ''),
    status: async () => {
      const result = await run(['status', '--json']);
      if (result.code !== 0) throw new Error(`opsbeat status --json exited ${result.code}\n${result.stderr}`);
      return JSON.parse(result.stdout) as StatusJson;
    },
    close: async () => {
      for (const child of children) child.kill('SIGKILL');
      await Promise.all([...children].map((c) => c.exited.catch(() => undefined)));
      // flyctl simulator calls outlive a killed opsbeat by design; let them finish before removing their files.
      await waitForSimulatorCalls(callsFile, 30_000).catch(() => undefined);
      await apps?.close();
      apps = undefined;
      await rm(dir, { recursive: true, force: true });
    },
  };
}

let seed: Promise<string> | undefined;

/**
 * A migrated embedded database folder to copy into each sandbox. Made once and kept beside the
 * PGlite template in node_modules/.cache/opsbeat, named after the template (so after the
 * migrations): built in a folder of its own, then renamed into place, so concurrent workers
 * never see half of one.
 */
function seedStore(): Promise<string> {
  seed ??= (async () => {
    const cacheDir = path.join(REPO_ROOT, 'node_modules', '.cache', 'opsbeat');
    const target = path.join(cacheDir, `process-seed-${path.basename(templatePath(cacheDir), '.tar.gz')}`);
    if (!existsSync(path.join(target, 'pglite', 'PG_VERSION'))) {
      await mkdir(cacheDir, { recursive: true });
      const building = await mkdtemp(path.join(cacheDir, 'process-seed-building-'));
      const store = await openStore({ dataDir: building, cacheDir, logger: createLogger({ level: 'silent', redactor: new Redactor() }) });
      await store.close();
      // Another worker may have finished first: then its seed is used and this one dropped.
      await rename(building, target).catch(() => rm(building, { recursive: true, force: true }));
    }
    return path.join(target, 'pglite');
  })();
  return seed;
}

/** Wait until no simulator process recorded in the calls file is alive. */
export async function waitForSimulatorCalls(callsFile: string, timeoutMs = 60_000): Promise<void> {
  await waitUntil(
    async () => {
      const calls = await readSimulatorCalls(callsFile);
      const pids = calls.flatMap((c) => (c.kind === 'call' ? [c.pid] : [c.pid, c.childPid]));
      return pids.every((pid) => !isAlive(pid));
    },
    { timeoutMs, what: 'every flyctl simulator process to end' },
  );
}

/**
 * The test sandbox's configuration: store, board, console chat and the simulator as flyctl, the
 * reviewers alice (CQ), carol (QA) and dave (operator), and the two default apps. `extra` holds
 * top-level YAML lines; a key the base also writes is merged into it (mappings key by key, the
 * extra values win), since YAML does not allow a key twice.
 */
export function sandboxConfigYaml(o: { dataDir: string; boardDir: string; appsUrl: string; extra?: string[]; flyTimeouts?: string }): string {
  return withOverrides(
    [
      ...sandboxConfigLines(o, o.flyTimeouts ?? 'read: 20s, logs: 10s, deploy: 60s'),
      'reviewers: { cq: [alice], qa: [carol], operators: [dave] }',
      'apps:',
      ...appYaml('hotdash-staging', o.appsUrl),
      ...appYaml('billing', o.appsUrl),
      'deploys: { verifyAttempts: 1, verifyRetryDelay: 100ms }',
      'http: { port: 0, host: 127.0.0.1 }',
    ],
    o.extra ?? [],
  );
}

function withOverrides(base: string[], extra: string[]): string {
  const topKeys = (lines: string[]) => new Set(lines.flatMap((l) => /^([A-Za-z_][\w-]*)\s*:/.exec(l)?.[1] ?? []));
  const shared = [...topKeys(extra)].filter((k) => topKeys(base).has(k));
  if (shared.length === 0) return [...base, ...extra, ''].join('\n');
  const merged = deepMerge(parseYaml(base.join('\n')) as unknown, parseYaml(extra.join('\n')) as unknown);
  return stringifyYaml(merged);
}

function deepMerge(a: unknown, b: unknown): unknown {
  const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!isMap(a) || !isMap(b)) return b;
  const out: Record<string, unknown> = { ...a };
  for (const [key, value] of Object.entries(b)) out[key] = key in a ? deepMerge(a[key], value) : value;
  return out;
}

/** One app's entry under `apps:` (see src/demo/sandbox.ts). */
export { appYaml };

/** The test sandbox's two apps (this helper stays free of vitest hooks, so scripts can use it too). */
export function defaultApps(now = new Date()): Record<string, SimulatedApp> {
  return {
    'hotdash-staging': buildSimulatedApp({
      name: 'hotdash-staging',
      image: 'registry.fly.io/hotdash-staging:b71c0de',
      history: ['registry.fly.io/hotdash-staging:9d4e7aa'],
      machines: 2,
      secrets: ['SESSION_SECRET', 'STRIPE_WEBHOOK_SECRET'],
      now,
    }),
    billing: buildSimulatedApp({
      name: 'billing',
      image: 'registry.fly.io/billing:41aa9c0',
      history: ['registry.fly.io/billing:0c3b5d1'],
      machines: 1,
      now,
    }),
  };
}

/** A ticket that passes the gate: CQ by alice and QA by carol, a minute and half a minute ago. */
export function readyTicket(builder: TicketBuilder): TicketBuilder {
  return builder.comment('alice', 'CQ: pass', new Date(Date.now() - 60_000)).comment('carol', 'QA: pass', new Date(Date.now() - 30_000));
}
