import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config/load.js';
import type { Config } from '../../src/config/normalise.js';
import { formatDuration, parseDuration } from '../../src/config/duration.js';

const CWD = path.resolve('/srv/opsbeat');

function configOf(lines: string[], env: NodeJS.ProcessEnv = {}): Config {
  const result = parseConfigText(`${lines.join('\n')}\n`, 'opsbeat.yaml', env, CWD);
  if (!result.ok) throw new Error(result.errors.join('\n'));
  return result.config;
}

const MINIMAL = ['board: { kind: files }', 'reviewers: { cq: [alice], qa: [carol] }'];

describe('normalise', () => {
  it('fills the documented defaults', () => {
    const config = configOf(MINIMAL);
    expect(config).toMatchObject({
      source: 'opsbeat.yaml',
      schedule: '*/15 * * * *',
      timezone: 'UTC',
      store: { url: undefined, dataDir: path.join(CWD, '.opsbeat') },
      board: { kind: 'files', files: { dir: path.join(CWD, 'board'), teams: {} } },
      reviewers: { cq: ['alice'], qa: ['carol'], operators: [] },
      chat: { kind: 'console', console: { transcript: path.join(CWD, '.opsbeat', 'chat.jsonl'), color: undefined } },
      platform: {
        kind: 'fly',
        fly: {
          bin: 'flyctl',
          org: undefined,
          metricsUrl: undefined,
          configDir: path.join(CWD, '.opsbeat', 'fly'),
          timeouts: { readMs: 30_000, logsMs: 30_000, deployMs: 1_200_000 },
        },
      },
      apps: {},
      monitor: { services: [] },
      windows: [],
      http: { port: 8080, host: '0.0.0.0' },
      deploys: { concurrency: 2, observeDependenciesMs: 300_000, observeIntervalMs: 30_000, verifyAttempts: 3, verifyRetryDelayMs: 5_000 },
      questions: { remindAfterMs: 14_400_000 },
      report: { postWhenIdle: false },
      log: { level: 'info' },
    });
  });

  it('turns every duration into milliseconds', () => {
    const config = configOf([
      ...MINIMAL,
      'platform: { fly: { timeouts: { read: 1500ms, logs: 45s, deploy: 1h } } }',
      'deploys: { observeDependencies: 2m, observeInterval: 10s, verifyRetryDelay: 250ms }',
      'questions: { remindAfter: 1d }',
      'apps:',
      '  billing:',
      '    image: "registry.fly.io/billing:{ref}"',
      '    waitTimeout: 90s',
      '    health: { url: "https://billing.fly.dev/health" }',
    ]);
    expect(config.platform.fly.timeouts).toEqual({ readMs: 1_500, logsMs: 45_000, deployMs: 3_600_000 });
    expect(config.deploys).toMatchObject({ observeDependenciesMs: 120_000, observeIntervalMs: 10_000, verifyRetryDelayMs: 250 });
    expect(config.questions.remindAfterMs).toBe(86_400_000);
    expect(config.apps.billing?.waitTimeoutMs).toBe(90_000);
  });

  it('resolves relative paths against the working folder and keeps absolute ones', () => {
    const absolute = path.resolve('/var/lib/opsbeat');
    const config = configOf([
      `store: { dataDir: ${JSON.stringify(absolute)} }`,
      'board: { kind: files, files: { dir: ../tickets } }',
      'reviewers: { cq: [alice], qa: [carol] }',
      'chat: { kind: console, console: { transcript: logs/chat.jsonl, color: false } }',
      'platform: { fly: { bin: ./bin/flyctl, configDir: fly-config } }',
    ]);
    expect(config.store.dataDir).toBe(absolute);
    expect(config.board).toEqual({ kind: 'files', files: { dir: path.resolve(CWD, '../tickets'), teams: {} } });
    expect(config.chat).toEqual({ kind: 'console', console: { transcript: path.join(CWD, 'logs', 'chat.jsonl'), color: false } });
    expect(config.platform.fly.bin).toBe(path.join(CWD, 'bin', 'flyctl'));
    expect(config.platform.fly.configDir).toBe(path.join(CWD, 'fly-config'));
  });

  it('keeps a bare flyctl name for a PATH lookup, and puts defaults under an absolute data folder', () => {
    const dataDir = path.resolve('/data');
    const config = configOf([`store: { dataDir: ${JSON.stringify(dataDir)} }`, ...MINIMAL]);
    expect(config.platform.fly.bin).toBe('flyctl');
    expect(config.platform.fly.configDir).toBe(path.join(dataDir, 'fly'));
    expect(config.chat).toMatchObject({ console: { transcript: path.join(dataDir, 'chat.jsonl') } });
  });

  it('builds each app: base URL from the health URL origin unless given, defaults filled', () => {
    const config = configOf([
      ...MINIMAL,
      'apps:',
      '  hotdash-staging:',
      '    image: "registry.fly.io/hotdash-staging:{ref}"',
      '    health: { url: "https://hotdash-staging.fly.dev:8443/api/health?deep=1" }',
      '    smoke: [{ path: /api/tiles }]',
      '  billing:',
      '    image: "registry.fly.io/billing:{ref}"',
      '    strategy: bluegreen',
      '    processGroup: web',
      '    url: "https://billing.example.com/app"',
      '    health: { url: "https://billing.fly.dev/health", maxMs: 500 }',
      '    secrets: [STRIPE_KEY]',
      '    database: { urlEnv: BILLING_DB_URL }',
      '    logScan: { lines: 40 }',
    ]);
    expect(config.apps['hotdash-staging']).toEqual({
      name: 'hotdash-staging',
      imageTemplate: 'registry.fly.io/hotdash-staging:{ref}',
      strategy: 'rolling',
      waitTimeoutMs: 300_000,
      processGroup: 'app',
      baseUrl: 'https://hotdash-staging.fly.dev:8443',
      health: { url: 'https://hotdash-staging.fly.dev:8443/api/health?deep=1', maxMs: 2000 },
      smoke: [{ path: '/api/tiles', status: 200, maxMs: 3000 }],
      secrets: [],
      database: undefined,
      logScanLines: 100,
    });
    expect(config.apps.billing).toEqual({
      name: 'billing',
      imageTemplate: 'registry.fly.io/billing:{ref}',
      strategy: 'bluegreen',
      waitTimeoutMs: 300_000,
      processGroup: 'web',
      baseUrl: 'https://billing.example.com/app',
      health: { url: 'https://billing.fly.dev/health', maxMs: 500 },
      smoke: [],
      secrets: ['STRIPE_KEY'],
      database: { urlEnv: 'BILLING_DB_URL' },
      logScanLines: 40,
    });
  });

  it('fills GitHub board status defaults for labels and projects', () => {
    const labels = configOf(['board: { kind: github, github: { owner: acme, repo: ops-board } }', 'reviewers: { cq: [alice], qa: [carol] }']);
    expect(labels.board).toEqual({
      kind: 'github',
      github: {
        baseUrl: 'https://api.github.com',
        owner: 'acme',
        repo: 'ops-board',
        status: { mode: 'labels', rfp: 'status:rfp', closed: 'status:closed', failed: 'status:deploy-failed' },
      },
    });
    const project = configOf([
      'board: { kind: github, github: { owner: acme, repo: ops-board, status: { mode: project, project: 3 } } }',
      'reviewers: { cq: [alice], qa: [carol] }',
    ]);
    expect(project.board).toMatchObject({
      github: { status: { mode: 'project', project: 3, field: 'Status', rfp: 'rfp', closed: 'closed', failed: 'deploy-failed' } },
    });
  });

  it('fills Slack defaults', () => {
    const config = configOf([...MINIMAL, 'chat: { kind: slack, slack: {} }']);
    expect(config.chat).toEqual({
      kind: 'slack',
      slack: { apiUrl: 'https://slack.com/api/', standupChannel: 'standup', incidentChannel: 'incidents', opsGroup: 'ops' },
    });
  });

  it('defaults a window to UTC', () => {
    const config = configOf([...MINIMAL, 'windows: [{ days: mon-fri, from: "09:00", to: "17:00" }]']);
    expect(config.windows).toEqual([{ days: 'mon-fri', from: '09:00', to: '17:00', tz: 'UTC' }]);
  });
});

describe('durations', () => {
  it('parses each unit and rejects anything else', () => {
    expect([parseDuration('500ms'), parseDuration('90s'), parseDuration('15m'), parseDuration('2h'), parseDuration('1d')]).toEqual([
      500, 90_000, 900_000, 7_200_000, 86_400_000,
    ]);
    expect([parseDuration('15'), parseDuration('1.5h'), parseDuration('m'), parseDuration('-1s')]).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });

  it('formats the shortest exact form', () => {
    expect([formatDuration(300_000), formatDuration(90_000), formatDuration(7_200_000), formatDuration(1_500)]).toEqual([
      '5m',
      '90s',
      '2h',
      '1500ms',
    ]);
  });

  it('reports a malformed duration in the file with the key', () => {
    const result = parseConfigText('board: { kind: files }\nreviewers: { cq: [a], qa: [b] }\nquestions: { remindAfter: 4 hours }\n', 'x.yaml', {}, CWD);
    expect(result).toEqual({
      ok: false,
      warnings: [],
      errors: ['x.yaml:3: questions.remindAfter: expected a duration such as "90s", "15m" or "2h", got "4 hours"'],
    });
  });
});
