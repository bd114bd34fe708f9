import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import {
  buildSimulatedApp,
  FLYCTL_SIMULATOR,
  readSimulatorCalls,
  readSimulatorState,
  startSimulatedApps,
  updateSimulatorState,
  writeSimulatorState,
  type SimulatedApp,
  type SimulatorCall,
  type SimulatorState,
  type SimulatedAppsServer,
} from '../../src/demo/simulated-apps.js';
import { openStore } from '../../src/adapters/store/open-store.js';
import { templatePath } from '../../src/adapters/store/pglite-template.js';
import { createLogger } from '../../src/logging/logger.js';
import { Redactor } from '../../src/logging/redactor.js';
import { ticketFileText, type TicketBuilder } from './ticket-builder.js';

/**
 * opsbeat as a real process: `node --import tsx src/cli.ts <command> --config <file>`, run from
 * the repository root, against a sandbox laid out like test/helpers/world.ts lays out its world —
 * a file board, the Fly simulator's state and calls files, the apps' HTTP side (served by this
 * test process) and a YAML configuration.
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

export interface ProcessSandboxOptions {
  tickets?: SandboxTicket[];
  /** Simulated apps; default: `defaultApps()`. */
  apps?: Record<string, SimulatedApp>;
  images?: SimulatorState['images'];
  faults?: SimulatorState['faults'];
  deployDelayMs?: number;
  /** YAML lines added to the configuration (top-level keys replace the base's); a function gets the apps' URL. */
  configYaml?: string[] | ((appsUrl: string) => string[]);
  /** Merged over the child's default environment (PATH, HOME, FLY_API_TOKEN, simulator files). */
  env?: NodeJS.ProcessEnv;
  /**
   * Start with an embedded store that is already created and migrated (copied from a cached
   * seed), sparing every sandbox PGlite's slow initdb. Default true; false exercises opsbeat's
   * own first start.
   */
  seedStore?: boolean;
}

export interface ProcessSandbox {
  dir: string;
  configFile: string;
  boardDir: string;
  dataDir: string;
  stateFile: string;
  callsFile: string;
  /** The console chat's transcript (JSON lines). */
  chatFile: string;
  appsUrl: string;
  /** The child's environment. */
  env: NodeJS.ProcessEnv;
  /** `opsbeat <args> --config <file>` to the end; `env` is merged over the sandbox's. */
  run(args: readonly string[], options?: { env?: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<ProcessResult>;
  /** The same, left running (a daemon, or a process to kill); stopped by `close` if still alive. */
  spawn(args: readonly string[], options?: { env?: NodeJS.ProcessEnv; timeoutMs?: number }): RunningProcess;
  writeTicket(ticket: SandboxTicket): Promise<void>;
  ticketFile(id: string): Promise<string>;
  /** Every file of the board folder, by name. */
  boardFiles(): Promise<Record<string, string>>;
  chatTranscript(): Promise<string>;
  flyCalls(): Promise<Extract<SimulatorCall, { kind: 'call' }>[]>;
  /** argv of every `fly deploy` so far. */
  deployCalls(): Promise<string[][]>;
  /** The images deployed, in order. */
  deployedImages(): Promise<string[]>;
  fly(): Promise<SimulatorState>;
  updateFly(change: (state: SimulatorState) => void): Promise<void>;
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
  const boardDir = path.join(dir, 'board');
  const dataDir = path.join(dir, 'data');
  const stateFile = path.join(dir, 'fly-simulator.json');
  const callsFile = path.join(dir, 'fly-calls.jsonl');
  const configFile = path.join(dir, 'opsbeat.yaml');
  await mkdir(boardDir, { recursive: true });
  if (options.seedStore ?? true) await cp(await seedStore(), path.join(dataDir, 'pglite'), { recursive: true });
  await writeSimulatorState(stateFile, {
    deployDelayMs: options.deployDelayMs ?? 50,
    apps: options.apps ?? defaultApps(),
    images: options.images ?? {},
    faults: options.faults ?? [],
  });
  let apps: SimulatedAppsServer | undefined = await startSimulatedApps({ stateFile });
  const children = new Set<RunningProcess>();

  const writeTicket = async (t: SandboxTicket): Promise<void> => {
    const { id, text } = 'text' in t ? t : { id: t.build().id, text: ticketFileText(t.build()) };
    await writeFile(path.join(boardDir, `${id}.md`), text);
  };
  for (const t of options.tickets ?? []) await writeTicket(t);
  await writeFile(configFile, sandboxConfigYaml({ dataDir, boardDir, appsUrl: apps.url, extra: typeof options.configYaml === 'function' ? options.configYaml(apps.url) : (options.configYaml ?? []) }));

  const env = baseEnv({
    FLY_API_TOKEN: 'test-token-for-the-simulator',
    FLY_SIMULATOR_STATE: stateFile,
    FLY_SIMULATOR_CALLS: callsFile,
    ...options.env,
  });
  const spawnHere = (args: readonly string[], o: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): RunningProcess => {
    const child = spawnOpsbeat([...args, '--config', configFile], { env: { ...env, ...o.env }, timeoutMs: o.timeoutMs });
    children.add(child);
    void child.exited.finally(() => children.delete(child)).catch(() => undefined);
    return child;
  };
  const run = (args: readonly string[], o: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}) => spawnHere(args, o).exited;
  const flyCalls = async () =>
    (await readSimulatorCalls(callsFile)).filter((c): c is Extract<SimulatorCall, { kind: 'call' }> => c.kind === 'call');
  const deployCalls = async () => (await flyCalls()).filter((c) => c.argv[0] === 'deploy').map((c) => c.argv);

  return {
    dir,
    configFile,
    boardDir,
    dataDir,
    stateFile,
    callsFile,
    chatFile: path.join(dataDir, 'chat.jsonl'),
    appsUrl: apps.url,
    env,
    run,
    spawn: spawnHere,
    writeTicket,
    ticketFile: (id) => readFile(path.join(boardDir, `${id}.md`), 'utf8'),
    boardFiles: async () => {
      const names = await readdir(boardDir);
      return Object.fromEntries(await Promise.all(names.map(async (n) => [n, await readFile(path.join(boardDir, n), 'utf8')] as const)));
    },
    chatTranscript: () => readFile(path.join(dataDir, 'chat.jsonl'), 'utf8').catch(() => ''),
    flyCalls,
    deployCalls,
    deployedImages: async () => (await deployCalls()).map((argv) => argv[argv.indexOf('--image') + 1] ?? ''),
    fly: () => readSimulatorState(stateFile),
    updateFly: (change) => updateSimulatorState(stateFile, change),
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
 * The sandbox configuration: world.ts's, with the simulator as flyctl. `extra` holds top-level
 * YAML entries; one whose key the base has replaces the base entry (YAML forbids duplicate keys).
 */
export function sandboxConfigYaml(o: { dataDir: string; boardDir: string; appsUrl: string; extra?: string[] }): string {
  const base = [
    `store: { dataDir: ${JSON.stringify(o.dataDir)} }`,
    `board: { kind: files, files: { dir: ${JSON.stringify(o.boardDir)} } }`,
    'reviewers: { cq: [alice], qa: [carol], operators: [dave] }',
    'chat: { kind: console }',
    `platform: { kind: fly, fly: { bin: ${JSON.stringify(FLYCTL_SIMULATOR)}, timeouts: { read: 20s, logs: 10s, deploy: 60s } } }`,
    'apps:',
    ...appYaml('hotdash-staging', o.appsUrl),
    ...appYaml('billing', o.appsUrl),
    'deploys: { verifyAttempts: 1, verifyRetryDelay: 100ms }',
    'http: { port: 0, host: 127.0.0.1 }',
  ];
  const extra = o.extra ?? [];
  const replaced = new Set(extra.flatMap((line) => /^([A-Za-z]\w*):/.exec(line)?.[1] ?? []));
  const kept: string[] = [];
  let dropping = false;
  for (const line of base) {
    const key = /^([A-Za-z]\w*):/.exec(line)?.[1];
    if (key !== undefined) dropping = replaced.has(key);
    if (!dropping) kept.push(line);
  }
  return [...kept, ...extra, ''].join('\n');
}

/** One app's entry under `apps:`, served by the simulated apps at `appsUrl`; `extra`: more of its keys. */
export function appYaml(name: string, appsUrl: string, extra: string[] = []): string[] {
  return [
    `  ${name}:`,
    `    image: "registry.fly.io/${name}:{ref}"`,
    `    health: { url: "${appsUrl}/${name}/health", maxMs: 2000 }`,
    `    url: "${appsUrl}/${name}"`,
    '    smoke: [{ path: /, status: 200, maxMs: 3000 }]',
    ...extra.map((line) => `    ${line}`),
  ];
}

/** world.ts's two apps (this helper stays free of vitest hooks, so scripts can use it too). */
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
