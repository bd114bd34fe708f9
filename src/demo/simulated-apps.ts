import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

/**
 * The typed side of the flyctl simulator (`flyctl-simulator.mjs`): the shape of its state file,
 * builders, the calls it records, and the apps' HTTP side, whose answers follow whichever image
 * the app's machines run in that state, so a deploy or a rollback changes what probes see.
 */

/** The simulator executable, to use as `platform.fly.bin`. */
export const FLYCTL_SIMULATOR = fileURLToPath(new URL('./flyctl-simulator.mjs', import.meta.url));
/** Variable names the flyctl runner must pass through (`passEnv`) for the simulator to work. */
export const SIMULATOR_ENV = ['FLY_SIMULATOR_STATE', 'FLY_SIMULATOR_CALLS'] as const;

export type CheckStatus = 'passing' | 'warning' | 'critical';

/** How an image behaves when deployed and when its app is probed. Absent = healthy. */
export interface ImageBehaviour {
  /** `fly deploy` fails with `could not find image "…"`; no release is created. */
  missing?: boolean;
  /** `fail`: release failed, machines unchanged, exit 1. `hang`: never finishes. */
  deploy?: 'fail' | 'hang';
  /** The `Error:` text of a `deploy: 'fail'`. */
  failMessage?: string;
  /** Check results after the deploy; anything but passing fails the deploy (except `immediate`). */
  machineChecks?: CheckStatus;
  /** Log lines of level "error" appended after a successful deploy. */
  logErrors?: string[];
  /** Status code of `GET /<app>/health`; default 200. */
  health?: number;
  /** Delay before every HTTP answer. */
  slowMs?: number;
  /** Status code per path for `GET /<app>/<path>`; default 200. */
  smoke?: Record<string, number>;
}

export interface SimulatedMachine {
  id: string;
  name: string;
  region: string;
  state: string;
  image: string;
  releaseVersion: number;
  processGroup: string;
  hostStatus?: 'ok' | 'unknown' | 'unreachable';
  standby: boolean;
  /** Configured checks; names starting with "servicecheck-" are service checks, the rest top-level. */
  checkNames: string[];
  /** One status for all results; null = no results yet (the `checks` key is then omitted). */
  checkStatus: CheckStatus | null;
  env?: Record<string, string>;
  createdAt?: string;
  updatedAt: string;
}

export interface SimulatedRelease {
  id: string;
  version: number;
  /** complete | failed | running | interrupted | pending */
  status: string;
  imageRef: string;
  createdAt: string;
  user?: string;
}

export interface SimulatedLogLine {
  timestamp: string;
  level: string;
  message: string;
  instance: string;
  region: string;
}

export interface SimulatedApp {
  org?: string;
  hostname?: string;
  machines: SimulatedMachine[];
  releases: SimulatedRelease[];
  /** Secret names (values are never readable on Fly either). */
  secrets: string[];
  logs: SimulatedLogLine[];
}

export type FaultCommand = 'status' | 'releases' | 'secrets' | 'logs' | 'deploy';

/**
 * A one-off misbehaviour, consumed in order by the next matching command. `${NAME}` in `stdout`
 * or `stderr` is replaced from the simulator's own environment.
 */
export interface SimulatorFault {
  command: FaultCommand;
  /** garbage: non-JSON (or, for deploy, a wrong-shaped release line) and exit 0. */
  mode: 'garbage' | 'exit' | 'hang' | 'slow';
  exitCode?: number;
  stdout?: string;
  stderr?: string;
  delayMs?: number;
  /** How many calls it applies to; default 1. */
  times?: number;
}

export interface SimulatorState {
  /** How long a deploy takes; default 200 ms. */
  deployDelayMs?: number;
  apps: Record<string, SimulatedApp>;
  images: Record<string, ImageBehaviour>;
  faults: SimulatorFault[];
}

export type SimulatorCall =
  | { kind: 'call'; argv: string[]; at: string; pid: number; cwd: string; envNames: string[] }
  | { kind: 'child'; at: string; pid: number; childPid: number };

export interface SimulatedAppOptions {
  name: string;
  image: string;
  machines?: number;
  /** Images of earlier releases, oldest first; each becomes a complete release. */
  history?: string[];
  processGroup?: string;
  regions?: string[];
  checkNames?: string[];
  secrets?: string[];
  now?: Date;
}

/** An app whose N machines run `image`, the newest of `history.length + 1` complete releases. */
export function buildSimulatedApp(options: SimulatedAppOptions): SimulatedApp {
  const now = options.now ?? new Date();
  const images = [...(options.history ?? []), options.image];
  const releases = images.map((imageRef, i) => ({
    id: `sim${hash(`${options.name}:release:${i + 1}`).slice(0, 20)}`,
    version: i + 1,
    status: 'complete',
    imageRef,
    createdAt: new Date(now.getTime() - (images.length - i) * 3_600_000).toISOString(),
    user: 'deployer@example.com',
  }));
  const regions = options.regions ?? ['ams', 'fra'];
  const updatedAt = releases.at(-1)!.createdAt;
  const machines = Array.from({ length: options.machines ?? 2 }, (_, i) => ({
    id: hash(`${options.name}:machine:${i}`).slice(0, 14),
    name: `${options.name}-${i + 1}`,
    region: regions[i % regions.length]!,
    state: 'started',
    image: options.image,
    releaseVersion: releases.length,
    processGroup: options.processGroup ?? 'app',
    hostStatus: 'ok' as const,
    standby: false,
    checkNames: options.checkNames ?? ['servicecheck-00-http-8080'],
    checkStatus: 'passing' as const,
    createdAt: releases[0]!.createdAt,
    updatedAt,
  }));
  const logs = machines.map((m) => ({
    timestamp: updatedAt,
    level: 'info',
    message: 'Listening on 0.0.0.0:8080',
    instance: m.id,
    region: m.region,
  }));
  return { org: 'acme', machines, releases, secrets: options.secrets ?? [], logs };
}

export async function readSimulatorState(file: string): Promise<SimulatorState> {
  return JSON.parse(await readFile(file, 'utf8')) as SimulatorState;
}

/** Replace the state atomically (temp file + rename), under the simulator's own lock. */
export async function writeSimulatorState(file: string, state: SimulatorState): Promise<void> {
  await withLock(file, () => writeAtomically(file, state));
}

/** Change the state in place, safely while simulator processes run. */
export async function updateSimulatorState(file: string, change: (state: SimulatorState) => void): Promise<void> {
  await withLock(file, async () => {
    const state = await readSimulatorState(file);
    change(state);
    await writeAtomically(file, state);
  });
}

/** Every invocation recorded so far (and every child a hanging call started); [] before any. */
export async function readSimulatorCalls(file: string): Promise<SimulatorCall[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  return text
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line) as SimulatorCall);
}

export interface SimulatedAppsServer {
  /** e.g. http://127.0.0.1:43121; an app's health URL is `${url}/<app>/health`. */
  url: string;
  close(): Promise<void>;
}

/** The apps' HTTP side: answers by the image the app's newest machine runs in the state file. */
export async function startSimulatedApps(options: { stateFile: string; host?: string }): Promise<SimulatedAppsServer> {
  const host = options.host ?? '127.0.0.1';
  const server = http.createServer((req, res) => {
    answer(options.stateFile, req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function answer(stateFile: string, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const [appName = '', ...rest] = new URL(req.url ?? '/', 'http://simulated').pathname.split('/').slice(1);
  const path = `/${rest.join('/')}`;
  const state = await readSimulatorState(stateFile);
  const app = state.apps[appName];
  const image = app ? liveImage(app) : undefined;
  if (!app || !image) return reply(res, 404, { error: app ? 'no machine is running' : `no app "${appName}"` });
  const behaviour = state.images[image] ?? {};
  if (behaviour.slowMs) await sleep(behaviour.slowMs);
  const status = path === '/health' ? (behaviour.health ?? 200) : (behaviour.smoke?.[path] ?? 200);
  reply(res, status, { app: appName, image, path });
}

function reply(res: http.ServerResponse, status: number, body: Record<string, unknown>): void {
  if (res.destroyed) return;
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** After a half-finished rolling deploy the newest machine decides (the proxy would reach it too). */
function liveImage(app: SimulatedApp): string | undefined {
  const serving = app.machines.filter((m) => !m.standby && m.state === 'started');
  serving.sort((a, b) => b.releaseVersion - a.releaseVersion);
  return serving[0]?.image;
}

const STALE_LOCK_MS = 5000;

/** The same mkdir lock the simulator uses (`<state>.lock`), with the same stale timeout. */
async function withLock(file: string, fn: () => Promise<void>): Promise<void> {
  const lock = `${file}.lock`;
  const deadline = Date.now() + 3 * STALE_LOCK_MS;
  for (;;) {
    try {
      await mkdir(lock);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const age = await stat(lock).then((s) => Date.now() - s.mtimeMs, () => 0);
      if (age > STALE_LOCK_MS) await rm(lock, { recursive: true, force: true });
      else if (Date.now() > deadline) throw new Error(`the simulator state ${file} stays locked`);
      else await sleep(5 + Math.random() * 20);
    }
  }
  try {
    await fn();
  } finally {
    await rm(lock, { recursive: true, force: true });
  }
}

async function writeAtomically(file: string, state: SimulatorState): Promise<void> {
  const temp = `${file}.${process.pid}.${hash(String(Math.random())).slice(0, 8)}.tmp`;
  await writeFile(temp, `${JSON.stringify(state, null, 2)}\n`);
  await rename(temp, file);
}

function hash(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
