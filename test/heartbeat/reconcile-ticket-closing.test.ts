import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { readyTicket, type World } from '../helpers/world.js';
import { worldsClosedAfterEach } from '../helpers/world-per-test.js';
import type { DeploymentRow } from '../../src/heartbeat/ledger.js';
import type { CheckResult } from '../../src/plan/types.js';
import { deployedComment } from '../../src/messages/ticket-comments.js';

const worlds = worldsClosedAfterEach();

const NEW = 'registry.fly.io/hotdash-staging:3f9c2e1';
const EARLIER_HB = 'hb-20261125T0600Z-dead02';
const CHECKS: CheckResult[] = [
  { kind: 'machines', ok: true, summary: `2 machines started on ${NEW}, checks passing` },
  { kind: 'health', ok: true, summary: 'health HTTP 200 in 12 ms' },
];

/**
 * A deployment that reached `succeeded` in an earlier process, which stopped before step 5
 * finished the ticket's side (`ticketDoneAt` is null). Fly runs the new release.
 */
async function succeededButNotClosed(w: World): Promise<DeploymentRow> {
  const [plan] = await w.plan();
  const id = `dep-${randomUUID()}`;
  const at = w.deps.now();
  const ledger = w.deps.ledger;
  await ledger.createDeployment({ id, hb: EARLIER_HB, plan: plan!, at });
  await ledger.transition(id, 'planned', 'prechecked', { hb: EARLIER_HB, at });
  await ledger.transition(id, 'prechecked', 'deploying', { hb: EARLIER_HB, at });
  await ledger.transition(id, 'deploying', 'verifying', { hb: EARLIER_HB, at }, { releaseVersion: 3 });
  for (const check of CHECKS) await ledger.appendEvent(id, { hb: EARLIER_HB, at, kind: 'check', detail: { stage: 'postcheck', ...check } });
  const row = await ledger.transition(id, 'verifying', 'succeeded', { hb: EARLIER_HB, at });
  await w.updateFly((state) => {
    const app = state.apps['hotdash-staging']!;
    app.releases.push({ id: 'rel-earlier', version: 3, status: 'complete', imageRef: NEW, createdAt: at.toISOString() });
    for (const m of app.machines) Object.assign(m, { image: NEW, releaseVersion: 3 });
  });
  return row;
}

describe('the ticket side of a deployment that succeeded just before a crash', { timeout: 90_000 }, () => {
  it('is finished by the next heartbeat: one comment, ticket closed, no second deploy, and nothing twice after that', async () => {
    const world = await worlds.create({ tickets: [readyTicket('OPS-1')] });
    const row = await succeededButNotClosed(world);

    const result = await world.beat();

    // The gate saw the unfinished deployment: the ticket waited instead of being deployed again.
    expect(result.outputs['gate-tickets']?.decisions.map((d) => d.kind)).toEqual(['wait']);
    expect(await world.deployCalls()).toEqual([]);
    expect((await world.deps.ledger.getDeployment(row.id))!.ticketDoneAt).not.toBeNull();
    expect((await world.ticket('OPS-1')).status).toBe('closed');
    expect(await world.opsbeatComments('OPS-1')).toEqual([{ key: `deploy:${row.id}`, body: deployedComment(row, CHECKS) }]);
    expect(result.outputs['close-tickets']?.closed).toEqual(['OPS-1']);

    const file = await world.ticketFile('OPS-1');
    const said = world.standup().length;
    await world.beat();
    expect(await world.ticketFile('OPS-1')).toBe(file);
    expect(world.standup()).toHaveLength(said);
    expect(await world.deployCalls()).toEqual([]);
  });

  it('a comment written before the crash is not written again; the move is finished', async () => {
    const world = await worlds.create({ tickets: [readyTicket('OPS-1')] });
    const row = await succeededButNotClosed(world);
    await world.deps.board.ensureComment('OPS-1', `deploy:${row.id}`, deployedComment(row, CHECKS));
    const before = await world.ticketFile('OPS-1');

    await world.beat();

    expect(await world.opsbeatComments('OPS-1')).toEqual([{ key: `deploy:${row.id}`, body: deployedComment(row, CHECKS) }]);
    const ticket = await world.ticket('OPS-1');
    expect(ticket.status).toBe('closed');
    // Only the front matter changed: the status and its history line.
    expect((await world.ticketFile('OPS-1')).split('---').slice(2).join('---')).toBe(before.split('---').slice(2).join('---'));
    expect((await world.deps.ledger.getDeployment(row.id))!.ticketDoneAt).not.toBeNull();
  });
});
