import { describe, expect, it } from 'vitest';
import { adjustableClock, readyTicket, type World } from '../helpers/world.js';
import { worldsClosedAfterEach } from '../helpers/world-per-test.js';
import { when } from '../../src/gate/hold-messages.js';

const worlds = worldsClosedAfterEach();

const NEW = 'registry.fly.io/hotdash-staging:3f9c2e1';
const HOUR = 3_600_000;
const AGAIN = 'Nothing was deployed. The ticket stays in rfp and opsbeat tries again every heartbeat; this comment is updated when it goes through.';

function holdComment(why: string): string {
  return [`**Held before deploy:** ${why}.`, '', AGAIN].join('\n');
}

/** The hold comment once resolved, as the board reads it back (a quoted blank line is ">"). */
function resolvedComment(why: string, at: Date): string {
  return [`**Resolved** (${when(at)}). Earlier:`, '', `> **Held before deploy:** ${why}.`, '>', `> ${AGAIN}`].join('\n');
}

function summaries(w: World) {
  return w.standup().filter((e) => e.action === 'post' && e.message.text.startsWith('Deploy summary')).map((e) => e.message);
}

/**
 * Held by a pre-check: the ticket stays in rfp with one `hold` comment and nothing deployed; a
 * second heartbeat changes nothing anywhere (same comment, no new message in #standup); after the
 * fix the next heartbeat deploys and the hold comment says Resolved.
 */
async function expectHeldThenResolved(w: World, why: string, fix: () => Promise<void>): Promise<void> {
  const first = await w.beat();

  expect(first.outcome).toBe('ok');
  expect(await w.deployCalls()).toEqual([]);
  expect((await w.ticket('OPS-1')).status).toBe('rfp');
  expect(await w.opsbeatComments('OPS-1')).toEqual([{ key: 'hold', body: holdComment(why) }]);
  const [row] = await w.deps.ledger.deploymentsForTicket('OPS-1');
  expect(row).toMatchObject({ state: 'dropped', failure: { stage: 'precheck', message: why } });
  const notices = await w.deps.ledger.openNotices('hold');
  expect(notices.map((n) => [n.key, n.reason])).toEqual([['hold:OPS-1', `precheck:${row!.failure!.code}`]]);
  expect(w.standup().map((e) => `${e.action} ${e.message.text}`)).toEqual([`post Deploy summary: 1 not deployed (${first.hb})`]);
  expect(summaries(w)[0]!.sections?.[0]).toEqual({ heading: 'Not deployed', lines: [`OPS-1: ${why}`] });

  // Still held: the same single comment, nothing new in #standup.
  const file = await w.ticketFile('OPS-1');
  await w.beat();
  expect(await w.ticketFile('OPS-1')).toBe(file);
  expect(w.standup()).toHaveLength(1);
  expect(await w.deployCalls()).toEqual([]);

  await fix();
  const fixed = await w.beat();

  expect(fixed.outcome).toBe('ok');
  expect((await w.deployCalls()).map((argv) => argv[4])).toEqual([NEW]);
  expect((await w.ticket('OPS-1')).status).toBe('closed');
  const resolvedAt = (await w.deps.ledger.getNotice('hold:OPS-1'))!.resolvedAt!;
  const comments = await w.opsbeatComments('OPS-1');
  expect(comments.map((c) => c.key)).toEqual(['hold', expect.stringMatching(/^deploy:dep-/)]);
  expect(comments[0]!.body).toBe(resolvedComment(why, resolvedAt));
  expect(await w.deps.ledger.openNotices('hold')).toEqual([]);
  expect(summaries(w).at(-1)!.text).toBe(`Deploy summary: 1 deployed (${fixed.hb})`);
}

describe('a pre-check holds the ticket in rfp with one hold comment until it is fixed', { timeout: 90_000 }, () => {
  it('a secret the deploy block needs is missing on the app', async () => {
    const world = await worlds.create({ tickets: [readyTicket('OPS-1', 'app: hotdash-staging\nref: 3f9c2e1\nenv: [PAYMENTS_KEY]')] });

    await expectHeldThenResolved(world, 'missing secrets on hotdash-staging: PAYMENTS_KEY (set them with fly secrets set)', () =>
      world.updateFly((state) => void state.apps['hotdash-staging']!.secrets.push('PAYMENTS_KEY')),
    );
  });

  it('outside the deploy windows', async () => {
    const clock = adjustableClock();
    const hour = clock.now().getUTCHours();
    const from = `${String((hour + 2) % 24).padStart(2, '0')}:00`;
    const to = `${String(((hour + 2) % 24) + 1).padStart(2, '0')}:00`;
    const world = await worlds.create({
      tickets: [readyTicket('OPS-1')],
      configYaml: [`windows: [{ days: daily, from: "${from}", to: "${to}", tz: UTC }]`],
      now: clock.now,
    });

    await expectHeldThenResolved(world, `outside the deploy windows (daily ${from}–${to} UTC)`, async () => clock.advance(2 * HOUR));
  });

  it('the app is unhealthy before the deploy', async () => {
    const world = await worlds.create({ tickets: [readyTicket('OPS-1')] });
    await world.updateFly((state) => {
      for (const m of state.apps['hotdash-staging']!.machines) m.checkStatus = 'critical';
    });
    const ids = (await world.fly()).apps['hotdash-staging']!.machines.map((m) => m.id).sort().reverse();

    await expectHeldThenResolved(world, `hotdash-staging: checks critical on ${ids.join(', ')}`, () =>
      world.updateFly((state) => {
        for (const m of state.apps['hotdash-staging']!.machines) m.checkStatus = 'passing';
      }),
    );
  });
});
