import { describe, expect, it } from 'vitest';
import { DEPLOY_STATES, isTerminal } from '../../../src/deploy/states.js';
import type { DeployPlan } from '../../../src/plan/types.js';
import type { SqlStore } from '../../../src/adapters/store/types.js';
import type { SqlLedger } from '../../../src/adapters/store/sql-ledger.js';

/**
 * The behaviour every `Ledger` on SQL must show, run against both stores: PGlite in
 * test/adapters/store and a real Postgres server in test/integration/store.
 */

export type OpenLedger = () => Promise<{ store: SqlStore; ledger: SqlLedger }>;

const T0 = new Date('2026-03-02T09:00:00.000Z');
const at = (minutes: number): Date => new Date(T0.getTime() + minutes * 60_000);

export function planFor(ticket: string, app: string, ref = '3f9c2e1'): DeployPlan {
  const image = `registry.fly.io/${app}:${ref}`;
  const request = { app, image, strategy: 'rolling' as const, waitTimeoutMs: 300_000, env: { NEW_CHECKOUT: 'on' } };
  return {
    version: 1,
    ticket: { id: ticket, title: `Ship ${ticket}` },
    app,
    ref,
    image,
    createdAt: T0.toISOString(),
    emergency: null,
    preChecks: [{ kind: 'rollback_target', app, image: `registry.fly.io/${app}:prev`, version: 41 }],
    deploy: { request, command: ['flyctl', 'deploy', '--app', app, '--image', image] },
    postChecks: [{ kind: 'health', url: `https://${app}.fly.dev/health`, maxMs: 2000 }],
    rollback: {
      image: `registry.fly.io/${app}:prev`,
      version: 41,
      request: { ...request, image: `registry.fly.io/${app}:prev` },
      command: ['flyctl', 'deploy', '--app', app, '--image', `registry.fly.io/${app}:prev`],
    },
  };
}

export function describeLedgerContract(name: string, open: OpenLedger): void {
  describe(`${name}: heartbeats and steps`, () => {
    it('records a heartbeat from start to finish', async () => {
      const { ledger } = await open();
      await ledger.startHeartbeat('hb-1', 'schedule', at(0));
      expect(await ledger.recentHeartbeats(5)).toEqual([
        { hb: 'hb-1', trigger: 'schedule', startedAt: at(0), finishedAt: null, outcome: 'running', summary: null },
      ]);
      await ledger.finishHeartbeat('hb-1', 'ok', at(1), '1 deployed');
      const [row] = await ledger.recentHeartbeats(5);
      expect(row).toEqual({ hb: 'hb-1', trigger: 'schedule', startedAt: at(0), finishedAt: at(1), outcome: 'ok', summary: '1 deployed' });
      expect(row?.startedAt).toBeInstanceOf(Date);
    });

    it('lists recent heartbeats newest first, up to the limit', async () => {
      const { ledger } = await open();
      for (const i of [1, 2, 3]) await ledger.startHeartbeat(`hb-${i}`, 'schedule', at(i * 15));
      expect((await ledger.recentHeartbeats(2)).map((h) => h.hb)).toEqual(['hb-3', 'hb-2']);
    });

    it('finds the last finished heartbeat, ignoring one still running', async () => {
      const { ledger } = await open();
      expect(await ledger.lastFinishedHeartbeat()).toBeUndefined();
      await ledger.startHeartbeat('hb-1', 'startup', at(0));
      await ledger.finishHeartbeat('hb-1', 'failed', at(1), 'deploy path failed');
      await ledger.startHeartbeat('hb-2', 'schedule', at(15));
      expect((await ledger.lastFinishedHeartbeat())?.hb).toBe('hb-1');
    });

    it('closes the heartbeats a dead process left running, with their running steps, and nothing else', async () => {
      const { ledger } = await open();
      await ledger.startHeartbeat('hb-1', 'schedule', at(0));
      await ledger.finishHeartbeat('hb-1', 'ok', at(1), 'fine');
      await ledger.startHeartbeat('hb-2', 'schedule', at(15));
      const base = { hb: 'hb-2', summary: null, errorCode: null, error: null, finishedAt: null };
      await ledger.recordStep({ ...base, step: 'read-queue', status: 'done', startedAt: at(15), finishedAt: at(16), summary: '1 ready' });
      await ledger.recordStep({ ...base, step: 'deploy', status: 'running', startedAt: at(16) });

      expect(await ledger.closeInterruptedHeartbeats(at(30), 'interrupted')).toEqual(['hb-2']);
      expect(await ledger.recentHeartbeats(5)).toMatchObject([
        { hb: 'hb-2', outcome: 'failed', finishedAt: at(30), summary: 'interrupted' },
        { hb: 'hb-1', outcome: 'ok', finishedAt: at(1), summary: 'fine' },
      ]);
      expect(await ledger.stepRuns('hb-2')).toMatchObject([
        { step: 'read-queue', status: 'done', finishedAt: at(16), errorCode: null },
        { step: 'deploy', status: 'failed', finishedAt: at(30), errorCode: 'interrupted', error: 'interrupted' },
      ]);
      expect(await ledger.closeInterruptedHeartbeats(at(45), 'interrupted')).toEqual([]);
    });

    it('refuses to finish a heartbeat that never started', async () => {
      const { ledger } = await open();
      await expect(ledger.finishHeartbeat('nope', 'ok', at(0), '')).rejects.toMatchObject({ code: 'invariant_violated' });
    });

    it('inserts, then updates, the row of a step', async () => {
      const { ledger } = await open();
      await ledger.startHeartbeat('hb-1', 'once', at(0));
      const base = { hb: 'hb-1', summary: null, errorCode: null, error: null, finishedAt: null };
      await ledger.recordStep({ ...base, step: 'read-queue', status: 'running', startedAt: at(0) });
      await ledger.recordStep({ ...base, step: 'gate-tickets', status: 'running', startedAt: at(1) });
      await ledger.recordStep({ ...base, step: 'read-queue', status: 'failed', startedAt: at(0), finishedAt: at(1), errorCode: 'timeout', error: 'board timed out' });
      expect(await ledger.stepRuns('hb-1')).toEqual([
        { hb: 'hb-1', step: 'read-queue', status: 'failed', startedAt: at(0), finishedAt: at(1), summary: null, errorCode: 'timeout', error: 'board timed out' },
        { hb: 'hb-1', step: 'gate-tickets', status: 'running', startedAt: at(1), finishedAt: null, summary: null, errorCode: null, error: null },
      ]);
      expect(await ledger.stepRuns('other')).toEqual([]);
    });
  });

  describe(`${name}: deployments`, () => {
    it('creates a planned deployment with its plan and a first event', async () => {
      const { ledger } = await open();
      const plan = planFor('T-1', 'hotdash');
      const row = await ledger.createDeployment({ id: 'd-1', hb: 'hb-1', plan, at: at(0) });
      expect(row).toEqual({
        id: 'd-1', hb: 'hb-1', ticket: 'T-1', app: 'hotdash', ref: '3f9c2e1', image: plan.image, state: 'planned', plan,
        releaseVersion: null, failure: null, ticketDoneAt: null, createdAt: at(0), updatedAt: at(0), deployStartedAt: null, finishedAt: null,
      });
      expect(await ledger.getDeployment('d-1')).toEqual(row);
      expect(await ledger.getDeployment('d-404')).toBeUndefined();
      const events = await ledger.deploymentEvents('d-1');
      expect(events).toEqual([
        { id: expect.any(Number), deploymentId: 'd-1', hb: 'hb-1', at: at(0), kind: 'transition', fromState: null, toState: 'planned', detail: {} },
      ]);
    });

    it('allows one active deployment per app, enforced by the database', async () => {
      const { ledger } = await open();
      await ledger.createDeployment({ id: 'd-1', hb: 'hb-1', plan: planFor('T-1', 'hotdash'), at: at(0) });
      const second = ledger.createDeployment({ id: 'd-2', hb: 'hb-1', plan: planFor('T-2', 'hotdash'), at: at(1) });
      await expect(second).rejects.toMatchObject({
        code: 'deploy_in_progress',
        message: 'the app already has a deployment in progress',
        fields: { app: 'hotdash', deployment: 'd-1', state: 'planned' },
      });
      expect(await ledger.getDeployment('d-2')).toBeUndefined();
      await ledger.createDeployment({ id: 'd-3', hb: 'hb-1', plan: planFor('T-3', 'billing'), at: at(1) });

      await ledger.transition('d-1', 'planned', 'dropped', { hb: 'hb-1', at: at(2) });
      const again = await ledger.createDeployment({ id: 'd-4', hb: 'hb-2', plan: planFor('T-2', 'hotdash'), at: at(15) });
      expect(again.state).toBe('planned');
    });

    it('agrees with the state machine on which states are terminal', async () => {
      const { store, ledger } = await open();
      for (const state of DEPLOY_STATES) {
        const app = `app-${state}`;
        await ledger.createDeployment({ id: `${state}-1`, hb: 'hb-1', plan: planFor('T-1', app), at: at(0) });
        await store.query(`update deployments set state = $2 where id = $1`, [`${state}-1`, state]);
        const second = ledger.createDeployment({ id: `${state}-2`, hb: 'hb-1', plan: planFor('T-2', app), at: at(1) });
        if (isTerminal(state)) await expect(second).resolves.toMatchObject({ state: 'planned' });
        else await expect(second).rejects.toMatchObject({ code: 'deploy_in_progress' });
      }
    });

    it('walks a deployment to success, stamping the start of the deploy and the finish', async () => {
      const { ledger } = await open();
      await ledger.createDeployment({ id: 'd-1', hb: 'hb-1', plan: planFor('T-1', 'hotdash'), at: at(0) });
      await ledger.transition('d-1', 'planned', 'prechecked', { hb: 'hb-1', at: at(1), detail: { checks: 4 } });
      const deploying = await ledger.transition('d-1', 'prechecked', 'deploying', { hb: 'hb-1', at: at(2) });
      expect(deploying).toMatchObject({ state: 'deploying', deployStartedAt: at(2), finishedAt: null, updatedAt: at(2) });
      await ledger.transition('d-1', 'deploying', 'verifying', { hb: 'hb-1', at: at(5) }, { releaseVersion: 42 });
      const done = await ledger.transition('d-1', 'verifying', 'succeeded', { hb: 'hb-1', at: at(8) });
      expect(done).toMatchObject({ state: 'succeeded', releaseVersion: 42, deployStartedAt: at(2), finishedAt: at(8), createdAt: at(0), updatedAt: at(8), failure: null });

      const events = await ledger.deploymentEvents('d-1');
      expect(events.map((e) => [e.fromState, e.toState, e.at])).toEqual([
        [null, 'planned', at(0)],
        ['planned', 'prechecked', at(1)],
        ['prechecked', 'deploying', at(2)],
        ['deploying', 'verifying', at(5)],
        ['verifying', 'succeeded', at(8)],
      ]);
      expect(events[1]?.detail).toEqual({ checks: 4 });
      expect(events.every((e) => e.kind === 'transition')).toBe(true);
    });

    it('records a failure on the way to a rollback, and clears it with null', async () => {
      const { ledger } = await open();
      await ledger.createDeployment({ id: 'd-1', hb: 'hb-1', plan: planFor('T-1', 'hotdash'), at: at(0) });
      await ledger.transition('d-1', 'planned', 'prechecked', { hb: 'hb-1', at: at(1) });
      await ledger.transition('d-1', 'prechecked', 'deploying', { hb: 'hb-1', at: at(2) });
      const failure = { code: 'health_failed', message: 'health endpoint answered 503', stage: 'verify' };
      const rolling = await ledger.transition('d-1', 'deploying', 'rolling_back', { hb: 'hb-1', at: at(3) }, { failure });
      expect(rolling.failure).toEqual(failure);
      const kept = await ledger.transition('d-1', 'rolling_back', 'rolled_back', { hb: 'hb-1', at: at(4) });
      expect(kept).toMatchObject({ state: 'rolled_back', failure, finishedAt: at(4) });

      await ledger.createDeployment({ id: 'd-2', hb: 'hb-2', plan: planFor('T-2', 'hotdash'), at: at(10) });
      await ledger.transition('d-2', 'planned', 'prechecked', { hb: 'hb-2', at: at(11) });
      await ledger.transition('d-2', 'prechecked', 'deploying', { hb: 'hb-2', at: at(12) });
      await ledger.transition('d-2', 'deploying', 'rolling_back', { hb: 'hb-2', at: at(13) }, { failure });
      const cleared = await ledger.transition('d-2', 'rolling_back', 'failed', { hb: 'hb-2', at: at(14) }, { failure: null });
      expect(cleared.failure).toBeNull();
    });

    it('refuses a transition when the state moved (compare-and-set), changing nothing', async () => {
      const { ledger } = await open();
      await ledger.createDeployment({ id: 'd-1', hb: 'hb-1', plan: planFor('T-1', 'hotdash'), at: at(0) });
      await ledger.transition('d-1', 'planned', 'prechecked', { hb: 'hb-1', at: at(1) });
      await expect(ledger.transition('d-1', 'planned', 'dropped', { hb: 'hb-2', at: at(2) })).rejects.toMatchObject({
        code: 'deploy_state_conflict',
        fields: { deployment: 'd-1', expected: 'planned', actual: 'prechecked' },
      });
      expect((await ledger.getDeployment('d-1'))?.state).toBe('prechecked');
      expect(await ledger.deploymentEvents('d-1')).toHaveLength(2);
    });

    it('lets exactly one of two racing transitions win', async () => {
      const { ledger } = await open();
      await ledger.createDeployment({ id: 'd-1', hb: 'hb-1', plan: planFor('T-1', 'hotdash'), at: at(0) });
      const results = await Promise.allSettled([
        ledger.transition('d-1', 'planned', 'prechecked', { hb: 'hb-1', at: at(1) }),
        ledger.transition('d-1', 'planned', 'dropped', { hb: 'hb-2', at: at(1) }),
      ]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const rejected = results.find((r) => r.status === 'rejected');
      expect(rejected?.status === 'rejected' && rejected.reason).toMatchObject({ code: 'deploy_state_conflict' });
      expect(await ledger.deploymentEvents('d-1')).toHaveLength(2);
    });

    it('refuses an edge that is not in the state machine, and an unknown deployment', async () => {
      const { ledger } = await open();
      await ledger.createDeployment({ id: 'd-1', hb: 'hb-1', plan: planFor('T-1', 'hotdash'), at: at(0) });
      await expect(ledger.transition('d-1', 'planned', 'succeeded', { hb: 'hb-1', at: at(1) })).rejects.toMatchObject({
        code: 'invariant_violated',
        fields: { from: 'planned', to: 'succeeded' },
      });
      expect((await ledger.getDeployment('d-1'))?.state).toBe('planned');
      await expect(ledger.transition('d-404', 'planned', 'prechecked', { hb: 'hb-1', at: at(1) })).rejects.toMatchObject({
        code: 'invariant_violated',
        message: 'no such deployment',
      });
    });

    it('appends check, command and note events, and nothing else', async () => {
      const { ledger } = await open();
      await ledger.createDeployment({ id: 'd-1', hb: 'hb-1', plan: planFor('T-1', 'hotdash'), at: at(0) });
      await ledger.appendEvent('d-1', { hb: 'hb-1', at: at(1), kind: 'check', detail: { kind: 'health', ok: true, summary: '200 in 120 ms' } });
      await ledger.appendEvent('d-1', { hb: 'hb-1', at: at(2), kind: 'command', detail: { argv: ['flyctl', 'status'], exitCode: 0 } });
      const events = await ledger.deploymentEvents('d-1');
      expect(events.slice(1)).toEqual([
        { id: expect.any(Number), deploymentId: 'd-1', hb: 'hb-1', at: at(1), kind: 'check', fromState: null, toState: null, detail: { kind: 'health', ok: true, summary: '200 in 120 ms' } },
        { id: expect.any(Number), deploymentId: 'd-1', hb: 'hb-1', at: at(2), kind: 'command', fromState: null, toState: null, detail: { argv: ['flyctl', 'status'], exitCode: 0 } },
      ]);
      expect(events[1]!.id).toBeLessThan(events[2]!.id);
      await expect(ledger.appendEvent('d-1', { hb: 'hb-1', at: at(3), kind: 'transition', detail: {} })).rejects.toMatchObject({ code: 'invariant_violated' });
      await expect(ledger.appendEvent('d-404', { hb: 'hb-1', at: at(3), kind: 'note', detail: {} })).rejects.toMatchObject({
        code: 'invariant_violated',
        message: 'no such deployment',
      });
    });

    it('keeps the event log append-only: the database refuses updates and deletes', async () => {
      const { store, ledger } = await open();
      await ledger.createDeployment({ id: 'd-1', hb: 'hb-1', plan: planFor('T-1', 'hotdash'), at: at(0) });
      const refused = { code: 'database_query_failed', fields: { sqlState: '23001' } };
      await expect(store.query(`update deployment_events set kind = 'note'`)).rejects.toMatchObject(refused);
      await expect(store.query(`delete from deployment_events`)).rejects.toMatchObject(refused);
      await expect(store.query(`truncate deployment_events`)).rejects.toMatchObject(refused);
      expect(await ledger.deploymentEvents('d-1')).toHaveLength(1);
    });

    it('lists active deployments oldest first, and terminal ones whose ticket work is left', async () => {
      const { ledger } = await open();
      await ledger.createDeployment({ id: 'd-b', hb: 'hb-1', plan: planFor('T-2', 'billing'), at: at(1) });
      await ledger.createDeployment({ id: 'd-a', hb: 'hb-1', plan: planFor('T-1', 'hotdash'), at: at(0) });
      await ledger.createDeployment({ id: 'd-c', hb: 'hb-1', plan: planFor('T-3', 'search'), at: at(2) });
      await ledger.transition('d-c', 'planned', 'dropped', { hb: 'hb-1', at: at(3) });
      expect((await ledger.activeDeployments()).map((d) => d.id)).toEqual(['d-a', 'd-b']);
      expect((await ledger.unfinishedTicketWork()).map((d) => d.id)).toEqual(['d-c']);

      await ledger.markTicketDone('d-c', at(4));
      await ledger.markTicketDone('d-c', at(9));
      expect(await ledger.unfinishedTicketWork()).toEqual([]);
      expect((await ledger.getDeployment('d-c'))?.ticketDoneAt).toEqual(at(4));
      await expect(ledger.markTicketDone('d-404', at(4))).rejects.toMatchObject({ code: 'invariant_violated' });
    });

    it('lists the deployments of a ticket oldest first, and recent ones newest first', async () => {
      const { ledger } = await open();
      await ledger.createDeployment({ id: 'd-1', hb: 'hb-1', plan: planFor('T-1', 'hotdash'), at: at(0) });
      await ledger.transition('d-1', 'planned', 'dropped', { hb: 'hb-1', at: at(1) });
      await ledger.createDeployment({ id: 'd-2', hb: 'hb-2', plan: planFor('T-2', 'billing'), at: at(15) });
      await ledger.createDeployment({ id: 'd-3', hb: 'hb-2', plan: planFor('T-1', 'hotdash'), at: at(16) });
      expect((await ledger.deploymentsForTicket('T-1')).map((d) => d.id)).toEqual(['d-1', 'd-3']);
      expect((await ledger.recentDeployments(2)).map((d) => d.id)).toEqual(['d-3', 'd-2']);
      expect(await ledger.deploymentsForTicket('T-404')).toEqual([]);
    });
  });

  describe(`${name}: ticket refs`, () => {
    it('tells when the current ref was first seen and whether it changed', async () => {
      const { ledger } = await open();
      expect(await ledger.observeRef('T-1', 'aaa111', at(0))).toEqual({ firstSeenAt: at(0), changed: false });
      expect(await ledger.observeRef('T-1', 'aaa111', at(15))).toEqual({ firstSeenAt: at(0), changed: false });
      expect(await ledger.observeRef('T-1', 'bbb222', at(30))).toEqual({ firstSeenAt: at(30), changed: true });
      expect(await ledger.observeRef('T-1', 'bbb222', at(45))).toEqual({ firstSeenAt: at(30), changed: true });
      // Back to an earlier ref: it is current again only from now on.
      expect(await ledger.observeRef('T-1', 'aaa111', at(60))).toEqual({ firstSeenAt: at(60), changed: true });
      expect(await ledger.observeRef('T-2', 'aaa111', at(60))).toEqual({ firstSeenAt: at(60), changed: false });
    });
  });

  describe(`${name}: notices`, () => {
    const question = { key: 'ask:T-1', kind: 'question' as const, ticket: 'T-1', reason: 'qa_missing', text: 'T-1 has no QA record.', message: null };

    it('opens, reminds, resolves and re-opens a notice', async () => {
      const { ledger } = await open();
      const created = await ledger.upsertNotice({ ...question, at: at(0) });
      expect(created).toEqual({ ...question, createdAt: at(0), updatedAt: at(0), remindedAt: null, resolvedAt: null });
      expect(await ledger.getNotice('ask:T-1')).toEqual(created);
      expect(await ledger.getNotice('ask:T-404')).toBeUndefined();

      const ref = { channel: 'C-standup', ts: '1700000000.000100' };
      const posted = await ledger.upsertNotice({ ...question, message: ref, at: at(1) });
      expect(posted).toMatchObject({ message: ref, updatedAt: at(0) });
      const same = await ledger.upsertNotice({ ...question, at: at(15) });
      expect(same).toMatchObject({ message: ref, updatedAt: at(0), createdAt: at(0) });

      await ledger.markNoticeReminded('ask:T-1', at(60));
      const changed = await ledger.upsertNotice({ ...question, reason: 'qa_failed', text: 'T-1: QA failed.', at: at(75) });
      expect(changed).toMatchObject({ reason: 'qa_failed', text: 'T-1: QA failed.', createdAt: at(0), updatedAt: at(75), remindedAt: at(60), resolvedAt: null });

      await ledger.resolveNotice('ask:T-1', at(90));
      await ledger.resolveNotice('ask:T-1', at(95));
      expect(await ledger.getNotice('ask:T-1')).toMatchObject({ resolvedAt: at(90) });
      expect(await ledger.openNotices()).toEqual([]);

      const reopened = await ledger.upsertNotice({ ...question, reason: 'qa_failed', text: 'T-1: QA failed.', at: at(120) });
      expect(reopened).toMatchObject({ resolvedAt: null, remindedAt: null, updatedAt: at(120), createdAt: at(0), message: ref });
    });

    it('lists open notices oldest first, by kind', async () => {
      const { ledger } = await open();
      await ledger.upsertNotice({ ...question, key: 'ask:T-2', ticket: 'T-2', at: at(5) });
      await ledger.upsertNotice({ ...question, at: at(0) });
      await ledger.upsertNotice({ key: 'hold:T-3', kind: 'hold', ticket: 'T-3', reason: 'notes_invalid', text: 'line 3: bad', message: null, at: at(1) });
      expect((await ledger.openNotices()).map((n) => n.key)).toEqual(['ask:T-1', 'hold:T-3', 'ask:T-2']);
      expect((await ledger.openNotices('question')).map((n) => n.key)).toEqual(['ask:T-1', 'ask:T-2']);
      expect((await ledger.openNotices('hold')).map((n) => n.key)).toEqual(['hold:T-3']);
    });
  });

  describe(`${name}: message refs and values`, () => {
    it('saves and replaces chat message references by key', async () => {
      const { ledger } = await open();
      expect(await ledger.getMessageRef('progress:d-1')).toBeUndefined();
      await ledger.saveMessageRef('progress:d-1', { channel: 'C1', ts: '1.1' }, 'h1', at(0));
      expect(await ledger.getMessageRef('progress:d-1')).toEqual({ ref: { channel: 'C1', ts: '1.1' }, hash: 'h1' });
      await ledger.saveMessageRef('progress:d-1', { channel: 'C1', ts: '1.1' }, 'h2', at(1));
      expect(await ledger.getMessageRef('progress:d-1')).toEqual({ ref: { channel: 'C1', ts: '1.1' }, hash: 'h2' });
    });

    it('keeps small named values', async () => {
      const { ledger } = await open();
      expect(await ledger.getValue('cursor')).toBeUndefined();
      await ledger.setValue('cursor', '1700000000.1', at(0));
      await ledger.setValue('cursor', '1700000000.2', at(1));
      expect(await ledger.getValue('cursor')).toBe('1700000000.2');
    });
  });

  describe(`${name}: mentions`, () => {
    it('keeps a cursor per channel', async () => {
      const { ledger } = await open();
      expect(await ledger.mentionCursors()).toEqual({});
      await ledger.saveMentionCursor('C2', '1700000000.000100', at(0));
      await ledger.saveMentionCursor('C1', '1700000000.000200', at(0));
      await ledger.saveMentionCursor('C2', '1700000900.000300', at(15));
      expect(await ledger.mentionCursors()).toEqual({ C1: '1700000000.000200', C2: '1700000900.000300' });
    });

    it('lets one claim of a mention win, remembers the reply, and takes over a stale claim', async () => {
      const { ledger } = await open();
      const stale = (minutes: number) => at(minutes - 10);
      expect(await ledger.claimMention('C1', '1.000001', at(0), stale(0))).toEqual({ status: 'claimed', recovered: false });
      expect(await ledger.claimMention('C1', '1.000001', at(1), stale(1))).toEqual({ status: 'in_progress' });
      await ledger.recordMentionReply('C1', '1.000001', '1.000009');
      expect(await ledger.claimMention('C1', '1.000001', at(60), stale(60))).toEqual({ status: 'answered', replyTs: '1.000009' });

      expect(await ledger.claimMention('C1', '2.000001', at(0), stale(0))).toEqual({ status: 'claimed', recovered: false });
      expect(await ledger.claimMention('C1', '2.000001', at(11), stale(11))).toEqual({ status: 'claimed', recovered: true });
      expect(await ledger.claimMention('C1', '2.000001', at(12), stale(12))).toEqual({ status: 'in_progress' });
      await expect(ledger.recordMentionReply('C9', '9.000001', '9.000002')).rejects.toMatchObject({ code: 'invariant_violated' });
    });

    it('races two claims of one mention to exactly one winner', async () => {
      const { ledger } = await open();
      const results = await Promise.all([
        ledger.claimMention('C1', '3.000001', at(0), at(-10)),
        ledger.claimMention('C1', '3.000001', at(0), at(-10)),
      ]);
      expect(results.filter((r) => r.status === 'claimed')).toHaveLength(1);
    });

    it('releases a claim without a reply, and never one with a reply', async () => {
      const { ledger } = await open();
      await ledger.claimMention('C1', '4.000001', at(0), at(-10));
      await ledger.releaseMention('C1', '4.000001');
      expect(await ledger.claimMention('C1', '4.000001', at(1), at(-9))).toEqual({ status: 'claimed', recovered: false });
      await ledger.recordMentionReply('C1', '4.000001', '4.000002');
      await ledger.releaseMention('C1', '4.000001');
      expect(await ledger.claimMention('C1', '4.000001', at(2), at(-8))).toMatchObject({ status: 'answered' });
    });
  });

  describe(`${name}: locks, silences, incidents and infrastructure requests`, () => {
    it('locks an app until it expires, and lists only unexpired, unreleased locks', async () => {
      const { ledger } = await open();
      const { lock, replaced } = await ledger.createLock({ scope: 'billing', holder: 'dave', reason: 'db migration', at: at(0), expiresAt: at(120), source: 'chat:C1/1.1' });
      expect(lock).toEqual({
        id: expect.any(Number), scope: 'billing', holder: 'dave', reason: 'db migration', createdAt: at(0), expiresAt: at(120),
        releasedAt: null, releasedBy: null, source: 'chat:C1/1.1',
      });
      expect(replaced).toEqual([]);
      await ledger.createLock({ scope: 'all', holder: 'alice', reason: 'release freeze', at: at(5), expiresAt: null });
      expect((await ledger.activeLocks(at(60))).map((l) => l.scope)).toEqual(['billing', 'all']);
      expect((await ledger.activeLocks(at(120))).map((l) => l.scope)).toEqual(['all']);
    });

    it('replaces the lock of a scope, changes nothing for a source seen before, and releases', async () => {
      const { ledger } = await open();
      const first = await ledger.createLock({ scope: 'billing', holder: 'dave', reason: 'one', at: at(0), expiresAt: null, source: 's1' });
      const second = await ledger.createLock({ scope: 'billing', holder: 'alice', reason: 'two', at: at(1), expiresAt: at(60), source: 's2' });
      expect(second.replaced).toEqual([{ ...first.lock, releasedAt: at(1), releasedBy: 'alice' }]);
      const again = await ledger.createLock({ scope: 'billing', holder: 'alice', reason: 'two', at: at(2), expiresAt: at(60), source: 's2' });
      expect(again).toEqual({ lock: second.lock, replaced: [] });
      expect((await ledger.activeLocks(at(3))).map((l) => l.reason)).toEqual(['two']);

      expect(await ledger.releaseLocks('all', 'dave', at(4))).toEqual([]);
      const released = await ledger.releaseLocks('billing', 'dave', at(4));
      expect(released).toEqual([{ ...second.lock, releasedAt: at(4), releasedBy: 'dave' }]);
      expect(await ledger.activeLocks(at(5))).toEqual([]);
    });

    it('silences an app until a time', async () => {
      const { ledger } = await open();
      const silence = await ledger.createSilence({ app: 'billing', holder: 'dave', reason: null, at: at(0), expiresAt: at(30), source: 'x' });
      expect(silence).toEqual({ id: expect.any(Number), app: 'billing', holder: 'dave', reason: null, createdAt: at(0), expiresAt: at(30), releasedAt: null, source: 'x' });
      expect(await ledger.createSilence({ app: 'billing', holder: 'dave', reason: 'again', at: at(1), expiresAt: at(90), source: 'x' })).toEqual(silence);
      expect(await ledger.activeSilences(at(29))).toEqual([silence]);
      expect(await ledger.activeSilences(at(30))).toEqual([]);
    });

    it('records incidents once per source, newest first', async () => {
      const { ledger } = await open();
      const one = await ledger.openIncident({ severity: 2, summary: 'checkout down', reportedBy: 'carol', at: at(0), source: 'a' });
      expect(one).toEqual({ id: expect.any(Number), severity: 2, summary: 'checkout down', reportedBy: 'carol', openedAt: at(0), resolvedAt: null, source: 'a' });
      expect(await ledger.openIncident({ severity: 1, summary: 'retry', reportedBy: 'carol', at: at(1), source: 'a' })).toEqual(one);
      const two = await ledger.openIncident({ severity: 4, summary: 'typo', reportedBy: 'U0X', at: at(5) });
      expect((await ledger.recentIncidents(5)).map((i) => i.id)).toEqual([two.id, one.id]);
    });

    it('queues infrastructure requests as pending, once per source', async () => {
      const { ledger } = await open();
      const request = await ledger.createInfraRequest({ kind: 'scale', app: 'billing', params: { count: 3 }, requestedBy: 'dave', at: at(0), source: 'r' });
      expect(request).toEqual({
        id: expect.any(Number), kind: 'scale', app: 'billing', params: { count: 3 }, requestedBy: 'dave', requestedAt: at(0),
        state: 'pending', updatedAt: at(0), note: null, source: 'r',
      });
      expect(await ledger.createInfraRequest({ kind: 'scale', app: 'billing', params: { count: 9 }, requestedBy: 'dave', at: at(1), source: 'r' })).toEqual(request);
      expect(await ledger.pendingInfraRequests()).toEqual([request]);
    });

    it('lists open alerts oldest first', async () => {
      const { store, ledger } = await open();
      expect(await ledger.openAlerts()).toEqual([]);
      await store.query(
        `insert into alerts (id, app, kind, severity, state, opened_at, updated_at, resolved_at, summary) values
         ('a2', 'billing', 'health', 'critical', 'firing', $1, $1, null, 'health failing'),
         ('a1', 'billing', 'error_rate', 'warning', 'acknowledged', $2, $2, null, 'errors at 3 %'),
         ('a3', 'hotdash', 'health', 'critical', 'resolved', $2, $2, $2, 'was down')`,
        [at(10), at(5)],
      );
      expect(await ledger.openAlerts()).toEqual([
        { id: 'a1', app: 'billing', kind: 'error_rate', severity: 'warning', state: 'acknowledged', openedAt: at(5), updatedAt: at(5), resolvedAt: null, summary: 'errors at 3 %', message: null },
        { id: 'a2', app: 'billing', kind: 'health', severity: 'critical', state: 'firing', openedAt: at(10), updatedAt: at(10), resolvedAt: null, summary: 'health failing', message: null },
      ]);
    });

    it('records a deployment without a ticket as done on the ticket side at once', async () => {
      const { ledger } = await open();
      const row = await ledger.createDeployment({ id: 'd-rb', hb: 'rt-1', plan: planFor('rollback:billing', 'billing'), at: at(0), withoutTicket: true });
      expect(row.ticketDoneAt).toEqual(at(0));
      await ledger.transition('d-rb', 'planned', 'dropped', { hb: 'rt-1', at: at(1) });
      expect(await ledger.unfinishedTicketWork()).toEqual([]);
    });
  });
}
