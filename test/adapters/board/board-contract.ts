import { describe, expect, it } from 'vitest';
import type { Board, Ticket } from '../../../src/adapters/board/types.js';
import { commentMarker } from '../../../src/adapters/board/types.js';
import { OpsbeatError } from '../../../src/errors.js';
import { TicketBuilder } from '../../helpers/ticket-builder.js';

/** What a board implementation under test starts from. Ids in `tickets` are suggestions: boards name their own. */
export interface BoardSeed {
  tickets: Ticket[];
  /** "@org/team" → members. */
  teams: Record<string, string[]>;
  now: () => Date;
}

export interface BoardUnderTest {
  board: Board;
  /** The board's ids for the seeded tickets, in seed order. */
  ids: string[];
  /** An id that names no ticket on this board. */
  missingId: string;
}

export type BoardFactory = (seed: BoardSeed) => Promise<BoardUnderTest>;

const NOW = new Date('2026-11-26T10:00:00Z');

/**
 * The behaviour every Board must share (STYLE R14): run it with a factory that seeds a fresh
 * board per test. The file board runs it in file-board.test.ts; the GitHub board runs it
 * against its fake GitHub server.
 */
export function runBoardContract(name: string, factory: BoardFactory): void {
  const seeded = (tickets: Ticket[], teams: Record<string, string[]> = {}): Promise<BoardUnderTest> =>
    factory({ tickets, teams, now: () => NOW });
  const ready = new TicketBuilder('OPS-1').title('Ship the new checkout').comment('alice', 'CQ: pass').comment('carol', 'QA: failed — checkout test red');
  const closed = new TicketBuilder('OPS-2').title('Old work').status('closed');
  const other = new TicketBuilder('OPS-3').title('Still in progress').status('other');

  describe(`${name} (board contract)`, () => {
    it('lists exactly the tickets in rfp, fully read', async () => {
      const { board, ids } = await seeded([ready.build(), closed.build(), other.build(), new TicketBuilder('OPS-4').title('Second').build()]);
      const tickets = await board.listReady();
      expect(tickets.map((t) => t.id).sort()).toEqual([ids[0], ids[3]].sort());
      const first = tickets.find((t) => t.id === ids[0]) as Ticket;
      expect(first.title).toBe('Ship the new checkout');
      expect(first.status).toBe('rfp');
      expect(first.body).toContain('```deploy\napp: hotdash-staging\nref: 3f9c2e1\n```');
      expect(first.comments.map((c) => [c.author, c.body])).toEqual([
        ['alice', 'CQ: pass'],
        ['carol', 'QA: failed — checkout test red'],
      ]);
      expect(first.comments[0]?.createdAt.getTime()).toBeLessThan(first.comments[1]?.createdAt.getTime() ?? 0);
      expect(first.comments.every((c) => c.opsbeatKey === undefined)).toBe(true);
    });

    it('reads labels with who added them', async () => {
      const { board, ids } = await seeded([new TicketBuilder('OPS-1').label('emergency', 'dave', '2026-11-25T09:00:00Z').build()]);
      const ticket = await board.readTicket(ids[0] as string);
      expect(ticket.labels).toEqual([{ name: 'emergency', addedBy: 'dave', addedAt: new Date('2026-11-25T09:00:00Z') }]);
    });

    it('reads one ticket, and says ticket_not_found for one that does not exist', async () => {
      const { board, ids, missingId } = await seeded([closed.build()]);
      expect((await board.readTicket(ids[0] as string)).status).toBe('closed');
      await expect(board.readTicket(missingId)).rejects.toMatchObject({ code: 'ticket_not_found' });
      await expect(board.readTicket(missingId)).rejects.toBeInstanceOf(OpsbeatError);
    });

    it('creates its own comment once, leaves it when unchanged, rewrites it in place when changed', async () => {
      const { board, ids } = await seeded([ready.build()]);
      const id = ids[0] as string;
      expect(await board.ensureComment(id, 'gate', 'Held: notes missing.')).toBe('created');
      expect(await board.ensureComment(id, 'gate', 'Held: notes missing.')).toBe('unchanged');
      expect(await board.ensureComment(id, 'gate', 'Fixed, thanks.')).toBe('updated');
      const ticket = await board.readTicket(id);
      const own = ticket.comments.filter((c) => c.opsbeatKey === 'gate');
      expect(own).toHaveLength(1);
      expect(own[0]?.body).toContain('Fixed, thanks.');
      expect(own[0]?.body).toContain(commentMarker('gate'));
      expect(own[0]?.body).not.toContain('Held: notes missing.');
      expect(ticket.comments.map((c) => c.author).slice(0, 2)).toEqual(['alice', 'carol']);
    });

    it('keeps comments with different keys apart, and never mistakes them for review records', async () => {
      const { board, ids } = await seeded([ready.build()]);
      const id = ids[0] as string;
      await board.ensureComment(id, 'gate', 'CQ: pass');
      await board.ensureComment(id, 'deploy:1', 'Deployed.');
      const ticket = await board.readTicket(id);
      expect(ticket.comments.filter((c) => c.opsbeatKey !== undefined).map((c) => c.opsbeatKey)).toEqual(['gate', 'deploy:1']);
    });

    it('serialises concurrent comments on one ticket', async () => {
      const { board, ids } = await seeded([ready.build()]);
      const id = ids[0] as string;
      const outcomes = await Promise.all(['a', 'b', 'c', 'd'].map((key) => board.ensureComment(id, key, `comment ${key}`)));
      expect(outcomes).toEqual(['created', 'created', 'created', 'created']);
      const keys = (await board.readTicket(id)).comments.flatMap((c) => (c.opsbeatKey ? [c.opsbeatKey] : []));
      expect(keys.sort()).toEqual(['a', 'b', 'c', 'd']);
    });

    it('moves a ticket out of rfp, and is a no-op when it is already there', async () => {
      const { board, ids } = await seeded([ready.build()]);
      const id = ids[0] as string;
      await board.moveTicket(id, 'rfp', 'closed');
      expect((await board.readTicket(id)).status).toBe('closed');
      expect(await board.listReady()).toEqual([]);
      await expect(board.moveTicket(id, 'rfp', 'closed')).resolves.toBeUndefined();
      expect((await board.readTicket(id)).status).toBe('closed');
    });

    it('refuses with ticket_moved when the ticket is in neither status', async () => {
      const { board, ids } = await seeded([other.build()]);
      await expect(board.moveTicket(ids[0] as string, 'rfp', 'deploy-failed')).rejects.toMatchObject({ code: 'ticket_moved' });
    });

    it('answers team membership case-insensitively', async () => {
      const { board } = await seeded([], { '@acme/reviewers': ['Alice', 'bob'] });
      expect(await board.isTeamMember('@acme/reviewers', 'alice')).toBe(true);
      expect(await board.isTeamMember('@ACME/Reviewers', 'BOB')).toBe(true);
      expect(await board.isTeamMember('@acme/reviewers', 'mallory')).toBe(false);
      expect(await board.isTeamMember('@acme/other', 'alice')).toBe(false);
    });
  });
}
