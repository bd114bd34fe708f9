import { describe, expect, it } from 'vitest';
import { adjustableClock } from '../helpers/world.js';
import { worldsClosedAfterEach } from '../helpers/world-per-test.js';
import { TicketBuilder } from '../helpers/ticket-builder.js';

const worlds = worldsClosedAfterEach();

const NEW = 'registry.fly.io/hotdash-staging:3f9c2e1';
const HOUR = 3_600_000;
const QUESTION_NO_QA =
  'OPS-1 “Cache tiles” is ready for production, but opsbeat will not deploy it: there is no QA record yet; ' +
  'carol can add a comment whose first line is `QA: pass` or `QA: failed — <why>`. It deploys once both CQ and QA pass.';

/** OPS-1 with CQ passed and no QA record yet. */
function waitingForQa(): TicketBuilder {
  return new TicketBuilder('OPS-1').title('Cache tiles').notes('app: hotdash-staging\nref: 3f9c2e1').comment('alice', 'CQ: pass', new Date(Date.now() - 60_000));
}

describe('unclear review records become one question in #standup', { timeout: 90_000 }, () => {
  it('a missing QA record is asked once; the next heartbeat does not ask again', async () => {
    const world = await worlds.create({ tickets: [waitingForQa()] });

    const first = await world.beat();

    expect(first.outcome).toBe('ok');
    expect(await world.deployCalls()).toEqual([]);
    expect(world.standup().map((e) => [e.action, e.message])).toEqual([
      [
        'post',
        {
          text: 'Question about OPS-1 Cache tiles: no QA record',
          title: 'Question: OPS-1 Cache tiles: no QA record',
          tone: 'warning',
          sections: [{ lines: [QUESTION_NO_QA] }],
        },
      ],
      [
        'post',
        {
          text: `Deploy summary: 1 not deployed (${first.hb})`,
          title: 'Deploy summary: 1 not deployed',
          tone: 'success',
          sections: [{ heading: 'Not deployed', lines: ['OPS-1: question asked in #standup'] }, { lines: [`heartbeat ${first.hb}`] }],
        },
      ],
    ]);
    const [notice, ...more] = await world.deps.ledger.openNotices('question');
    expect(more).toEqual([]);
    expect(notice).toMatchObject({ key: 'question:OPS-1', ticket: 'OPS-1', reason: 'qa_missing', remindedAt: null, message: { channel: 'standup', ts: world.standup()[0]!.ts } });
    // A question is for the team in #standup, not a hold comment on the ticket.
    expect(await world.opsbeatComments('OPS-1')).toEqual([]);
    expect((await world.ticket('OPS-1')).status).toBe('rfp');

    const second = await world.beat();

    expect(second.outputs['post-summary']).toEqual({ posted: false, questionsAsked: [], questionsResolved: [], reminders: [] });
    expect(world.standup()).toHaveLength(2);
  });

  it('one reminder in the thread after questions.remindAfter, and only one', async () => {
    const clock = adjustableClock();
    const world = await worlds.create({ tickets: [waitingForQa()], configYaml: ['questions: { remindAfter: 2h }'], now: clock.now });
    await world.beat();
    const question = world.standup()[0]!;

    clock.advance(HOUR);
    await world.beat();
    expect(world.standup()).toHaveLength(2);

    clock.advance(HOUR + 60_000);
    const reminding = await world.beat();

    expect(reminding.outputs['post-summary']?.reminders).toEqual(['OPS-1']);
    const replies = world.standup().filter((e) => e.action === 'reply');
    expect(replies.map((e) => [e.threadTs, e.message])).toEqual([
      [question.ts, { text: 'Reminder: OPS-1 is still not deployed (no QA record). The question above is open.', tone: 'warning' }],
    ]);
    expect((await world.deps.ledger.getNotice('question:OPS-1'))!.remindedAt).not.toBeNull();

    clock.advance(5 * HOUR);
    await world.beat();
    expect(world.standup().filter((e) => e.action === 'reply')).toHaveLength(1);
    expect(world.standup().filter((e) => e.action === 'post')).toHaveLength(2);
  });

  it('when QA passes: a "Resolved" reply in the thread, the question updated in place, and the ticket deploys', async () => {
    const world = await worlds.create({ tickets: [waitingForQa()] });
    await world.beat();
    const question = world.standup()[0]!;
    await world.writeTicket(waitingForQa().comment('carol', 'QA: pass', new Date()));

    const result = await world.beat();

    expect((await world.deployCalls()).map((argv) => argv[4])).toEqual([NEW]);
    const thread = world.standup().filter((e) => e.ts === question.ts || e.threadTs === question.ts);
    expect(thread.map((e) => [e.action, e.message])).toEqual([
      ['post', question.message],
      ['reply', { text: 'Resolved: OPS-1 — CQ and QA passed; deployed.', tone: 'success' }],
      [
        'update',
        {
          text: 'Resolved: OPS-1 Cache tiles: no QA record — CQ and QA passed; deployed',
          title: 'Resolved: OPS-1 Cache tiles: no QA record',
          tone: 'success',
          sections: [{ lines: ['CQ and QA passed; deployed'] }],
        },
      ],
    ]);
    expect(await world.deps.ledger.openNotices('question')).toEqual([]);
    expect((await world.deps.ledger.getNotice('question:OPS-1'))!.resolvedAt).not.toBeNull();
    const summary = world.standup().filter((e) => e.message.text.startsWith('Deploy summary')).at(-1)!.message;
    expect(summary.text).toBe(`Deploy summary: 1 deployed (${result.hb})`);
    expect(summary.sections?.map((s) => s.heading)).toEqual(['Deployed', 'Questions resolved', undefined]);
    expect(summary.sections?.[1]).toEqual({ heading: 'Questions resolved', lines: ['OPS-1'] });
  });

  it('when QA passes but the deploy fails, the resolved note says so instead of "deploying"', async () => {
    const world = await worlds.create({ tickets: [waitingForQa()], images: { [NEW]: { health: 503 } } });
    await world.beat();
    const question = world.standup()[0]!;
    await world.writeTicket(waitingForQa().comment('carol', 'QA: pass', new Date()));

    await world.beat();

    expect(await world.deps.ledger.deploymentsForTicket('OPS-1')).toMatchObject([{ state: 'rolled_back' }]);
    const thread = world.standup().filter((e) => e.threadTs === question.ts || (e.ts === question.ts && e.action === 'update'));
    expect(thread.map((e) => e.message.text)).toEqual([
      'Resolved: OPS-1 — CQ and QA passed; the deploy failed and was rolled back, see the ticket.',
      'Resolved: OPS-1 Cache tiles: no QA record — CQ and QA passed; the deploy failed and was rolled back, see the ticket',
    ]);
  });

  it('when QA passes but a pre-check holds the deploy, the resolved note points at the ticket', async () => {
    const world = await worlds.create({ tickets: [waitingForQa().notes('app: hotdash-staging\nref: 3f9c2e1\nenv: [PAYMENTS_KEY]')] });
    await world.beat();
    const question = world.standup()[0]!;
    await world.writeTicket(waitingForQa().notes('app: hotdash-staging\nref: 3f9c2e1\nenv: [PAYMENTS_KEY]').comment('carol', 'QA: pass', new Date()));

    await world.beat();

    expect(await world.deps.ledger.deploymentsForTicket('OPS-1')).toMatchObject([{ state: 'dropped', failure: { stage: 'precheck' } }]);
    const replies = world.standup().filter((e) => e.threadTs === question.ts);
    expect(replies.map((e) => e.message.text)).toEqual(['Resolved: OPS-1 — CQ and QA passed; held before the deploy, see the ticket.']);
  });

  it('a new reason updates the question in place instead of asking again', async () => {
    const world = await worlds.create({ tickets: [waitingForQa()] });
    await world.beat();
    const question = world.standup()[0]!;
    await world.writeTicket(waitingForQa().comment('carol', 'QA: failed — checkout test red', new Date()));

    await world.beat();

    const entries = world.standup().filter((e) => e.ts === question.ts || e.threadTs === question.ts);
    expect(entries.map((e) => e.action)).toEqual(['post', 'update']);
    expect(entries[1]!.message.text).toBe('Question about OPS-1 Cache tiles: QA failed');
    expect(entries[1]!.message.sections?.[0]?.lines[0]).toMatch(
      /^OPS-1 “Cache tiles” is ready for production, but opsbeat will not deploy it: the latest QA record, `QA: failed — checkout test red` by carol at .+ UTC, is a fail; carol can record `QA: pass` once it is fixed\. It deploys once both CQ and QA pass\.$/,
    );
    expect(world.standup().filter((e) => e.action === 'post' && e.message.text.startsWith('Question'))).toHaveLength(1);
    expect(await world.deps.ledger.openNotices('question')).toMatchObject([{ key: 'question:OPS-1', reason: 'qa_failed', message: { ts: question.ts } }]);
  });
});
