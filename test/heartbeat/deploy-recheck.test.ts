import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readyTicket, type World } from '../helpers/world.js';
import { worldsClosedAfterEach } from '../helpers/world-per-test.js';
import type { Board, EnsureOutcome, Ticket, TicketStatus } from '../../src/adapters/board/types.js';

const worlds = worldsClosedAfterEach();

/**
 * The real file board, except that the first time a ticket is read one by one — which a
 * heartbeat does only right before `fly deploy`, after planning read the whole queue — someone
 * edits it first.
 */
class EditedBeforeDeploy implements Board {
  readonly kind = 'files' as const;
  private edited = false;

  constructor(
    private readonly board: Board,
    private readonly edit: () => Promise<void>,
  ) {}

  listReady(): Promise<Ticket[]> {
    return this.board.listReady();
  }

  async readTicket(id: string): Promise<Ticket> {
    if (!this.edited) {
      this.edited = true;
      await this.edit();
    }
    return this.board.readTicket(id);
  }

  ensureComment(id: string, key: string, body: string): Promise<EnsureOutcome> {
    return this.board.ensureComment(id, key, body);
  }

  moveTicket(id: string, from: TicketStatus, to: TicketStatus): Promise<void> {
    return this.board.moveTicket(id, from, to);
  }

  isTeamMember(team: string, user: string): Promise<boolean> {
    return this.board.isTeamMember(team, user);
  }
}

/** Edit a ticket file the way a person would: change text, append a comment. */
async function editTicket(w: World, id: string, change: (text: string) => string): Promise<void> {
  const file = path.join(w.boardDir, `${id}.md`);
  await writeFile(file, change(await readFile(file, 'utf8')));
}

function comment(author: string, body: string): string {
  return `\n<!-- comment author="${author}" at="${new Date().toISOString()}" -->\n${body}\n`;
}

describe('the ticket is read again right before fly deploy', { timeout: 90_000 }, () => {
  it('the ref changed since the plan: dropped as ticket_changed, no deploy, still rfp; the next heartbeat ships the new ref', async () => {
    const world = await worlds.create({
      tickets: [readyTicket('OPS-1')],
      wrapBoard: (board) =>
        new EditedBeforeDeploy(board, () =>
          editTicket(world, 'OPS-1', (text) =>
            text.replace('ref: 3f9c2e1', 'ref: 4a5b6c7') + comment('alice', 'CQ: pass @ 4a5b6c7') + comment('carol', 'QA: pass @ 4a5b6c7'),
          ),
        ),
    });

    const first = await world.beat();

    expect(first.outputs['plan-deploys']?.plans.map((p) => p.image)).toEqual(['registry.fly.io/hotdash-staging:3f9c2e1']);
    const [dropped] = await world.deps.ledger.deploymentsForTicket('OPS-1');
    expect(dropped).toMatchObject({
      state: 'dropped',
      failure: { stage: 'recheck', code: 'ticket_changed', message: 'the deploy block now names ref 4a5b6c7' },
    });
    const events = await world.deps.ledger.deploymentEvents(dropped!.id);
    expect(events.filter((e) => e.kind === 'transition').map((e) => e.toState)).toEqual(['planned', 'prechecked', 'dropped']);
    expect(await world.deployCalls()).toEqual([]);
    expect((await world.ticket('OPS-1')).status).toBe('rfp');
    expect(await world.opsbeatComments('OPS-1')).toEqual([]);
    // Nothing happened that anyone has to read about.
    expect(world.standup()).toEqual([]);
    expect(first.outcome).toBe('ok');

    const second = await world.beat();

    expect(second.outputs['plan-deploys']?.plans.map((p) => p.image)).toEqual(['registry.fly.io/hotdash-staging:4a5b6c7']);
    expect((await world.deployCalls()).map((argv) => argv[4])).toEqual(['registry.fly.io/hotdash-staging:4a5b6c7']);
    const rows = await world.deps.ledger.deploymentsForTicket('OPS-1');
    expect(rows.map((r) => [r.state, r.ref])).toEqual([
      ['dropped', '3f9c2e1'],
      ['succeeded', '4a5b6c7'],
    ]);
    expect((await world.ticket('OPS-1')).status).toBe('closed');
  });

  it('QA failed since the plan: dropped, no deploy, and the next heartbeat asks in #standup instead', async () => {
    const world = await worlds.create({
      tickets: [readyTicket('OPS-1')],
      wrapBoard: (board) =>
        new EditedBeforeDeploy(board, () => editTicket(world, 'OPS-1', (text) => text + comment('carol', 'QA: failed — checkout test red'))),
    });

    await world.beat();

    const [dropped] = await world.deps.ledger.deploymentsForTicket('OPS-1');
    expect(dropped).toMatchObject({
      state: 'dropped',
      failure: { stage: 'recheck', code: 'ticket_changed', message: 'the gate now says ask (qa_failed)' },
    });
    expect(await world.deployCalls()).toEqual([]);
    expect((await world.ticket('OPS-1')).status).toBe('rfp');

    const second = await world.beat();

    expect(await world.deployCalls()).toEqual([]);
    expect(second.outputs['gate-tickets']?.decisions.map((d) => [d.kind, d.kind === 'deploy' ? null : d.reason])).toEqual([['ask', 'qa_failed']]);
    expect(world.standup().filter((e) => e.action === 'post').map((e) => e.message.text)).toEqual([
      'Question about OPS-1 Cache tiles: QA failed',
      `Deploy summary: 1 not deployed (${second.hb})`,
    ]);
  });
});
