import path from 'node:path';
import type { z } from 'zod';
import { parseDuration } from './duration.js';
import type { Smoke, WrittenConfig } from './schema.js';

/** The runtime configuration: defaults filled, durations in ms, paths absolute. */
export interface AppConfig {
  name: string;
  imageTemplate: string;
  strategy: 'rolling' | 'canary' | 'bluegreen' | 'immediate';
  waitTimeoutMs: number;
  processGroup: string;
  /** Base URL for smoke checks. */
  baseUrl: string;
  health: { url: string; maxMs: number };
  smoke: SmokeCheck[];
  secrets: string[];
  database: { urlEnv: string } | undefined;
  logScanLines: number;
}

export type SmokeCheck = z.output<typeof Smoke>;

export interface DeployWindow {
  days: string;
  from: string;
  to: string;
  tz: string;
}

type WrittenGithub = NonNullable<WrittenConfig['board']['github']>;

/**
 * The GitHub board. Optional settings stay absent when the file does not write them; the adapter
 * applies the defaults the schema describes (timeout 10s, team cache 10m, no extra evidence, no
 * Deployments).
 */
export interface GithubBoardConfig {
  baseUrl: string;
  owner: string;
  repo: string;
  status: WrittenGithub['status'];
  login?: string;
  timeoutMs?: number;
  teamCacheTtlMs?: number;
  evidence?: { labels: boolean; pullRequestReviews: boolean };
  deployments?: { enabled: boolean; environment: string; repo?: string };
}

export type BoardConfig =
  | { kind: 'files'; files: { dir: string; teams: Record<string, string[]> } }
  | { kind: 'github'; github: GithubBoardConfig };

export type ChatConfig =
  | { kind: 'console'; console: { transcript: string; color: boolean | undefined } }
  | { kind: 'slack'; slack: NonNullable<WrittenConfig['chat']['slack']> };

/** One person known by both identities: chat commands are authorised through the GitHub login. */
export interface Person {
  name: string;
  github: string;
  slack: string | undefined;
}

export interface FlyConfig {
  bin: string;
  org: string | undefined;
  metricsUrl: string | undefined;
  configDir: string;
  timeouts: { readMs: number; logsMs: number; deployMs: number };
}

export interface Config {
  /** The file this came from, for messages. */
  source: string;
  schedule: string;
  timezone: string;
  store: { url: string | undefined; dataDir: string };
  board: BoardConfig;
  reviewers: { cq: string[]; qa: string[]; operators: string[] };
  people: Person[];
  chat: ChatConfig;
  platform: { kind: 'fly'; fly: FlyConfig };
  apps: Record<string, AppConfig>;
  monitor: { services: string[] };
  windows: DeployWindow[];
  http: { port: number; host: string };
  deploys: {
    concurrency: number;
    observeDependenciesMs: number;
    observeIntervalMs: number;
    verifyAttempts: number;
    verifyRetryDelayMs: number;
  };
  questions: { remindAfterMs: number };
  report: { postWhenIdle: boolean };
  log: { level: string };
}

/** Turn the validated written form into the runtime form. Relative paths resolve against `cwd`. */
export function normalise(written: WrittenConfig, source: string, cwd: string): Config {
  const dataDir = path.resolve(cwd, written.store.dataDir);
  const apps: Record<string, AppConfig> = {};
  for (const [name, app] of Object.entries(written.apps)) {
    apps[name] = {
      name,
      imageTemplate: app.image,
      strategy: app.strategy,
      waitTimeoutMs: ms(app.waitTimeout),
      processGroup: app.processGroup,
      baseUrl: app.url ?? new URL(app.health.url).origin,
      health: app.health,
      smoke: app.smoke,
      secrets: app.secrets,
      database: app.database,
      logScanLines: app.logScan.lines,
    };
  }
  const fly = written.platform.fly;
  return {
    source,
    schedule: written.schedule,
    timezone: written.timezone,
    store: { url: written.store.url || undefined, dataDir },
    board:
      written.board.kind === 'github'
        ? { kind: 'github', github: githubBoard(written.board.github!) }
        : {
            kind: 'files',
            files: {
              dir: path.resolve(cwd, written.board.files?.dir ?? './board'),
              teams: written.board.files?.teams ?? {},
            },
          },
    reviewers: written.reviewers,
    people: Object.entries(written.people).map(([name, p]) => ({ name, github: p.github ?? name, slack: p.slack })),
    chat:
      written.chat.kind === 'slack'
        ? { kind: 'slack', slack: written.chat.slack! }
        : {
            kind: 'console',
            console: {
              transcript: path.resolve(cwd, written.chat.console?.transcript ?? path.join(dataDir, 'chat.jsonl')),
              color: written.chat.console?.color,
            },
          },
    platform: {
      kind: 'fly',
      fly: {
        bin: fly.bin.includes('/') ? path.resolve(cwd, fly.bin) : fly.bin,
        org: fly.org,
        metricsUrl: fly.metricsUrl,
        configDir: path.resolve(cwd, fly.configDir ?? path.join(dataDir, 'fly')),
        timeouts: {
          readMs: ms(fly.timeouts.read),
          logsMs: ms(fly.timeouts.logs),
          deployMs: ms(fly.timeouts.deploy),
        },
      },
    },
    apps,
    monitor: written.monitor,
    windows: written.windows,
    http: written.http,
    deploys: {
      concurrency: written.deploys.concurrency,
      observeDependenciesMs: ms(written.deploys.observeDependencies),
      observeIntervalMs: ms(written.deploys.observeInterval),
      verifyAttempts: written.deploys.verifyAttempts,
      verifyRetryDelayMs: ms(written.deploys.verifyRetryDelay),
    },
    questions: { remindAfterMs: ms(written.questions.remindAfter) },
    report: written.report,
    log: written.log,
  };
}

function githubBoard(github: WrittenGithub): GithubBoardConfig {
  const { timeout, teamCacheTtl, ...rest } = github;
  return {
    ...rest,
    ...(timeout === undefined ? {} : { timeoutMs: ms(timeout) }),
    ...(teamCacheTtl === undefined ? {} : { teamCacheTtlMs: ms(teamCacheTtl) }),
  };
}

function ms(duration: string): number {
  const value = parseDuration(duration);
  if (value === undefined) throw new Error(`unparseable duration ${duration}`);
  return value;
}
