import { describe, expect, it } from 'vitest';
import { formatStatusReport, readStatusReport, StatusReport } from '../../src/heartbeat/status-report.js';
import { buildPlan } from '../../src/plan/build-plan.js';
import { openTestPglite } from '../helpers/stores.js';
import { appConfig, deployDecision, flyPlatform, PLAN_CONFIG } from '../plan/plan-fixtures.js';

const T0 = Date.parse('2026-11-25T09:00:00Z');
const at = (minutes: number): Date => new Date(T0 + minutes * 60_000);

async function planFor(ref: string, ticket: string) {
  const decision = await deployDecision(`app: hotdash-staging\nref: ${ref}`, appConfig('hotdash-staging'));
  const platform = flyPlatform();
  return buildPlan({
    decision: { ...decision, ticket: { ...decision.ticket, id: ticket } },
    rollback: { image: 'registry.fly.io/hotdash-staging:b71c0de', version: 2 },
    config: PLAN_CONFIG,
    now: at(1),
    describeDeploy: (r) => platform.describeDeploy(r),
  });
}

describe('readStatusReport and formatStatusReport', () => {
  it('says there is nothing yet on an empty ledger', async () => {
    const { ledger } = await openTestPglite();
    const report = await readStatusReport(ledger);
    expect(report).toEqual({ heartbeats: [], deployments: [], open: [] });
    expect(formatStatusReport(report)).toBe(
      ['Heartbeats (newest first)', '  none yet', '', 'Deployments (newest first)', '  none yet', '', 'Open questions and holds', '  none'].join('\n'),
    );
  });

  it('reports heartbeats, deployments and open notices, newest first', async () => {
    const { ledger } = await openTestPglite();
    await ledger.startHeartbeat('hb-20261125T0900Z-aaaaaa', 'schedule', at(0));
    await ledger.finishHeartbeat('hb-20261125T0900Z-aaaaaa', 'ok', at(2), 'read-queue: 2 tickets in rfp');
    await ledger.startHeartbeat('hb-20261125T0915Z-bbbbbb', 'manual', at(15));

    await ledger.createDeployment({ id: 'dep-1', hb: 'hb-20261125T0900Z-aaaaaa', plan: await planFor('3f9c2e1', 'OPS-7'), at: at(1) });
    await ledger.transition('dep-1', 'planned', 'prechecked', { hb: 'hb-20261125T0900Z-aaaaaa', at: at(1) });
    await ledger.transition('dep-1', 'prechecked', 'deploying', { hb: 'hb-20261125T0900Z-aaaaaa', at: at(1) });
    await ledger.transition('dep-1', 'deploying', 'verifying', { hb: 'hb-20261125T0900Z-aaaaaa', at: at(2) }, { releaseVersion: 3 });
    await ledger.transition('dep-1', 'verifying', 'rolling_back', { hb: 'hb-20261125T0900Z-aaaaaa', at: at(3) }, {
      failure: { code: 'health_failed', message: 'health answered 503', stage: 'verify' },
    });
    await ledger.transition('dep-1', 'rolling_back', 'rolled_back', { hb: 'hb-20261125T0900Z-aaaaaa', at: at(4) });
    await ledger.createDeployment({ id: 'dep-2', hb: 'hb-20261125T0915Z-bbbbbb', plan: await planFor('4a5b6c7', 'OPS-8'), at: at(16) });

    await ledger.upsertNotice({
      key: 'question:OPS-9',
      kind: 'question',
      ticket: 'OPS-9',
      reason: 'qa_missing',
      text: 'OPS-9 has no QA record',
      message: null,
      at: at(5),
    });
    await ledger.upsertNotice({ key: 'hold:OPS-10', kind: 'hold', ticket: 'OPS-10', reason: 'notes_invalid', text: 'fix line 3', message: null, at: at(6) });
    await ledger.upsertNotice({ key: 'hold:OPS-11', kind: 'hold', ticket: 'OPS-11', reason: 'app_unknown', text: 'unknown app', message: null, at: at(7) });
    await ledger.resolveNotice('hold:OPS-11', at(8));

    const report = await readStatusReport(ledger);
    expect(report).toEqual({
      heartbeats: [
        { hb: 'hb-20261125T0915Z-bbbbbb', trigger: 'manual', startedAt: '2026-11-25T09:15:00.000Z', finishedAt: null, outcome: 'running', summary: null },
        {
          hb: 'hb-20261125T0900Z-aaaaaa',
          trigger: 'schedule',
          startedAt: '2026-11-25T09:00:00.000Z',
          finishedAt: '2026-11-25T09:02:00.000Z',
          outcome: 'ok',
          summary: 'read-queue: 2 tickets in rfp',
        },
      ],
      deployments: [
        {
          id: 'dep-2',
          ticket: 'OPS-8',
          app: 'hotdash-staging',
          image: 'registry.fly.io/hotdash-staging:4a5b6c7',
          state: 'planned',
          releaseVersion: null,
          failure: null,
          updatedAt: '2026-11-25T09:16:00.000Z',
        },
        {
          id: 'dep-1',
          ticket: 'OPS-7',
          app: 'hotdash-staging',
          image: 'registry.fly.io/hotdash-staging:3f9c2e1',
          state: 'rolled_back',
          releaseVersion: 3,
          failure: 'verify: health answered 503',
          updatedAt: '2026-11-25T09:04:00.000Z',
        },
      ],
      open: [
        { kind: 'question', ticket: 'OPS-9', reason: 'qa_missing', since: '2026-11-25T09:05:00.000Z', text: 'OPS-9 has no QA record' },
        { kind: 'hold', ticket: 'OPS-10', reason: 'notes_invalid', since: '2026-11-25T09:06:00.000Z', text: 'fix line 3' },
      ],
    });

    // What crosses from the daemon to the CLI parses back to the same report.
    expect(StatusReport.parse(JSON.parse(JSON.stringify(report)))).toEqual(report);

    expect(formatStatusReport(report)).toBe(
      [
        'Heartbeats (newest first)',
        '  2026-11-25T09:15:00.000Z  running manual   hb-20261125T0915Z-bbbbbb  ',
        '  2026-11-25T09:00:00.000Z  ok      schedule hb-20261125T0900Z-aaaaaa  read-queue: 2 tickets in rfp',
        '',
        'Deployments (newest first)',
        '  2026-11-25T09:16:00.000Z  planned      OPS-8 → hotdash-staging registry.fly.io/hotdash-staging:4a5b6c7',
        '  2026-11-25T09:04:00.000Z  rolled_back  OPS-7 → hotdash-staging v3 registry.fly.io/hotdash-staging:3f9c2e1  (verify: health answered 503)',
        '',
        'Open questions and holds',
        '  2026-11-25T09:05:00.000Z  question OPS-9: qa_missing',
        '  2026-11-25T09:06:00.000Z  hold     OPS-10: notes_invalid',
      ].join('\n'),
    );
  });

  it('keeps to the limit', async () => {
    const { ledger } = await openTestPglite();
    for (let i = 0; i < 4; i++) await ledger.startHeartbeat(`hb-${i}`, 'schedule', at(15 * i));
    const report = await readStatusReport(ledger, 2);
    expect(report.heartbeats.map((h) => h.hb)).toEqual(['hb-3', 'hb-2']);
  });

  it('rejects a report that is not one', () => {
    expect(StatusReport.safeParse({ heartbeats: [], deployments: [] }).success).toBe(false);
    expect(StatusReport.safeParse({ heartbeats: [{ hb: 'x' }], deployments: [], open: [] }).success).toBe(false);
  });
});
