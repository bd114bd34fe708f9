import { describe, expect, it } from 'vitest';
import type { DeployRequest } from '../../src/adapters/platform/types.js';
import { buildPlan, type PlanInputs } from '../../src/plan/build-plan.js';
import { appConfig, deployDecision, flyPlatform, NOW, PLAN_CONFIG, type DeployDecision } from './plan-fixtures.js';

const ROLLBACK = { image: 'registry.fly.io/hotdash-staging:b71c0de', version: 2 };

const FULL_NOTES = [
  'app: hotdash-staging',
  'ref: 3f9c2e1',
  'env: [STRIPE_WEBHOOK_SECRET, SESSION_SECRET]',
  'migrations: |',
  '  alter table orders add column note text;',
  'flags: { NEW_CHECKOUT: "on", BETA_TILES: 1 }',
  'dependencies: true',
  'smoke: [{ path: /api/tiles, status: 200, maxMs: 1500 }]',
].join('\n');

const HOTDASH = appConfig('hotdash-staging', {
  baseUrl: 'https://hotdash-staging.fly.dev/',
  secrets: ['SESSION_SECRET'],
  smoke: [{ path: '/', status: 200, maxMs: 3000 }],
  database: { urlEnv: 'HOTDASH_DB_URL' },
});

function inputs(decision: DeployDecision, overrides: Partial<PlanInputs> = {}): PlanInputs {
  const platform = flyPlatform();
  return { decision, rollback: ROLLBACK, config: PLAN_CONFIG, now: NOW, describeDeploy: (r) => platform.describeDeploy(r), ...overrides };
}

describe('buildPlan', () => {
  it('plans every pre-check, the exact deploy, every post-check and the rollback', async () => {
    const decision = await deployDecision(FULL_NOTES, HOTDASH);
    const plan = buildPlan(inputs(decision));

    expect(plan).toEqual({
      version: 1,
      ticket: { id: 'OPS-7', title: 'Cache the dashboard tiles' },
      app: 'hotdash-staging',
      ref: '3f9c2e1',
      image: 'registry.fly.io/hotdash-staging:3f9c2e1',
      createdAt: '2026-11-25T10:00:00.000Z',
      emergency: null,
      preChecks: [
        { kind: 'not_locked', app: 'hotdash-staging' },
        { kind: 'deploy_window', windows: PLAN_CONFIG.windows, emergency: null },
        { kind: 'app_healthy', app: 'hotdash-staging', processGroup: 'app', healthUrl: 'https://hotdash-staging.fly.dev/health', maxMs: 2000 },
        { kind: 'rollback_target', app: 'hotdash-staging', image: 'registry.fly.io/hotdash-staging:b71c0de', version: 2 },
        { kind: 'secrets_present', app: 'hotdash-staging', names: ['SESSION_SECRET', 'STRIPE_WEBHOOK_SECRET'] },
        {
          kind: 'migrations_applied',
          databaseUrlEnv: 'HOTDASH_DB_URL',
          checks: [{ kind: 'column_exists', schema: 'public', table: 'orders', column: 'note' }],
        },
      ],
      deploy: {
        request: {
          app: 'hotdash-staging',
          image: 'registry.fly.io/hotdash-staging:3f9c2e1',
          strategy: 'rolling',
          waitTimeoutMs: 300_000,
          env: { NEW_CHECKOUT: 'on', BETA_TILES: '1' },
        },
        command: [
          'fly', 'deploy', '--app', 'hotdash-staging', '--image', 'registry.fly.io/hotdash-staging:3f9c2e1',
          '--strategy', 'rolling', '--wait-timeout', '300s', '--deploy-retries', '0', '--yes',
          '--env', 'BETA_TILES=1', '--env', 'NEW_CHECKOUT=on',
        ],
      },
      postChecks: [
        { kind: 'machines', app: 'hotdash-staging', processGroup: 'app', image: 'registry.fly.io/hotdash-staging:3f9c2e1' },
        { kind: 'health', url: 'https://hotdash-staging.fly.dev/health', maxMs: 2000 },
        { kind: 'smoke', url: 'https://hotdash-staging.fly.dev/', status: 200, maxMs: 3000 },
        { kind: 'smoke', url: 'https://hotdash-staging.fly.dev/api/tiles', status: 200, maxMs: 1500 },
        { kind: 'log_scan', app: 'hotdash-staging', lines: 100 },
        { kind: 'observe', url: 'https://hotdash-staging.fly.dev/health', maxMs: 2000, durationMs: 300_000, intervalMs: 30_000 },
      ],
      rollback: {
        image: 'registry.fly.io/hotdash-staging:b71c0de',
        version: 2,
        request: { app: 'hotdash-staging', image: 'registry.fly.io/hotdash-staging:b71c0de', strategy: 'immediate', waitTimeoutMs: 300_000, env: {} },
        command: [
          'fly', 'deploy', '--app', 'hotdash-staging', '--image', 'registry.fly.io/hotdash-staging:b71c0de',
          '--strategy', 'immediate', '--wait-timeout', '300s', '--deploy-retries', '0', '--yes',
        ],
      },
    });
  });

  it('plans only what applies to a plain ticket: no secrets, migrations, observation or flags', async () => {
    const decision = await deployDecision('app: billing\nref: 41aa9c0', appConfig('billing', { strategy: 'canary', waitTimeoutMs: 90_500 }));
    const plan = buildPlan(inputs(decision, { rollback: { image: 'registry.fly.io/billing:0c3b5d1', version: 9 } }));
    expect(plan.preChecks.map((c) => c.kind)).toEqual(['not_locked', 'deploy_window', 'app_healthy', 'rollback_target']);
    expect(plan.postChecks.map((c) => c.kind)).toEqual(['machines', 'health', 'log_scan']);
    expect(plan.deploy.command).toEqual([
      'fly', 'deploy', '--app', 'billing', '--image', 'registry.fly.io/billing:41aa9c0',
      '--strategy', 'canary', '--wait-timeout', '91s', '--deploy-retries', '0', '--yes',
    ]);
    expect(plan.rollback.command).toContain('immediate');
  });

  it('lists each secret once, app secrets first', async () => {
    const app = appConfig('hotdash-staging', { secrets: ['SESSION_SECRET', 'STRIPE_KEY'] });
    const plan = buildPlan(inputs(await deployDecision('app: hotdash-staging\nref: 3f9c2e1\nenv: [STRIPE_KEY, SENTRY_DSN]', app)));
    expect(plan.preChecks.find((c) => c.kind === 'secrets_present')).toEqual({
      kind: 'secrets_present',
      app: 'hotdash-staging',
      names: ['SESSION_SECRET', 'STRIPE_KEY', 'SENTRY_DSN'],
    });
  });

  it('checks migrations only when there are checks and a database to check them in', async () => {
    const notes = 'app: hotdash-staging\nref: 3f9c2e1\nmigrations: |\n  create index tiles_owner on tiles (owner_id);';
    const withDatabase = buildPlan(inputs(await deployDecision(notes, appConfig('hotdash-staging', { database: { urlEnv: 'HOTDASH_DB_URL' } }))));
    expect(withDatabase.preChecks.at(-1)).toEqual({
      kind: 'migrations_applied',
      databaseUrlEnv: 'HOTDASH_DB_URL',
      checks: [{ kind: 'index_exists', schema: 'public', name: 'tiles_owner' }],
    });
    const withoutDatabase = buildPlan(inputs(await deployDecision(notes, appConfig('hotdash-staging'))));
    expect(withoutDatabase.preChecks.map((c) => c.kind)).not.toContain('migrations_applied');
    const noMigrations = buildPlan(inputs(await deployDecision('app: hotdash-staging\nref: 3f9c2e1', appConfig('hotdash-staging', { database: { urlEnv: 'HOTDASH_DB_URL' } }))));
    expect(noMigrations.preChecks.map((c) => c.kind)).not.toContain('migrations_applied');
  });

  it('joins smoke paths to a base URL with or without a trailing slash, or with a path of its own', async () => {
    for (const [baseUrl, expected] of [
      ['https://hotdash.example.com', 'https://hotdash.example.com/api/tiles?size=2'],
      ['https://hotdash.example.com//', 'https://hotdash.example.com/api/tiles?size=2'],
      ['https://example.com/hotdash', 'https://example.com/hotdash/api/tiles?size=2'],
    ] as const) {
      const app = appConfig('hotdash-staging', { baseUrl });
      const plan = buildPlan(inputs(await deployDecision('app: hotdash-staging\nref: 3f9c2e1\nsmoke: [{ path: "/api/tiles?size=2" }]', app)));
      expect(plan.postChecks.filter((c) => c.kind === 'smoke')).toEqual([{ kind: 'smoke', url: expected, status: 200, maxMs: 3000 }]);
    }
  });

  it('records an emergency bypass and the ticket URL', async () => {
    const decision = await deployDecision('app: hotdash-staging\nref: 3f9c2e1', appConfig('hotdash-staging'), (t) => t.label('emergency', 'dave', '2026-11-25T09:30:00Z'));
    const withUrl: DeployDecision = { ...decision, ticket: { ...decision.ticket, url: 'https://github.com/acme/ops-board/issues/7' } };
    const plan = buildPlan(inputs(withUrl));
    expect(plan.emergency).toEqual({ by: 'dave', at: '2026-11-25T09:30:00.000Z' });
    expect(plan.preChecks.find((c) => c.kind === 'deploy_window')).toEqual({ kind: 'deploy_window', windows: PLAN_CONFIG.windows, emergency: { by: 'dave', at: '2026-11-25T09:30:00.000Z' } });
    expect(plan.ticket).toEqual({ id: 'OPS-7', title: 'Cache the dashboard tiles', url: 'https://github.com/acme/ops-board/issues/7' });
  });

  it('is pure: same inputs, same plan; the inputs are left as they were', async () => {
    const decision = await deployDecision(FULL_NOTES, HOTDASH);
    const snapshot = structuredClone(decision);
    const requests: DeployRequest[] = [];
    const platform = flyPlatform();
    const describe = (r: DeployRequest): string[] => (requests.push(structuredClone(r)), platform.describeDeploy(r));
    const a = buildPlan(inputs(decision, { describeDeploy: describe }));
    const b = buildPlan(inputs(decision, { describeDeploy: describe }));
    expect(a).toEqual(b);
    expect(decision).toEqual(snapshot);
    expect(requests.map((r) => r.image)).toEqual([
      'registry.fly.io/hotdash-staging:3f9c2e1',
      'registry.fly.io/hotdash-staging:b71c0de',
      'registry.fly.io/hotdash-staging:3f9c2e1',
      'registry.fly.io/hotdash-staging:b71c0de',
    ]);
  });

  it('is plain JSON: it round-trips through JSON unchanged', async () => {
    const plan = buildPlan(inputs(await deployDecision(FULL_NOTES, HOTDASH, (t) => t.label('emergency', 'dave', '2026-11-25T09:30:00Z'))));
    expect(JSON.parse(JSON.stringify(plan))).toEqual(plan);
    expect(JSON.parse(JSON.stringify(plan))).toStrictEqual(plan);
  });
});
