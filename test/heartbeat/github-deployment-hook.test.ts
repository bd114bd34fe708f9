import { describe, expect, it } from 'vitest';
import type { Board, DeploymentRecord } from '../../src/adapters/board/types.js';
import { worldsClosedAfterEach } from '../helpers/world-per-test.js';
import { TicketBuilder } from '../helpers/ticket-builder.js';

const worlds = worldsClosedAfterEach();

/** A board that records deploys the way a broken GitHub would: hanging, then failing. */
function recordingBoard(inner: Board, seen: DeploymentRecord[]): Board {
  return {
    kind: inner.kind,
    listReady: () => inner.listReady(),
    readTicket: (id) => inner.readTicket(id),
    ensureComment: (id, key, body) => inner.ensureComment(id, key, body),
    moveTicket: (id, from, to) => inner.moveTicket(id, from, to),
    isTeamMember: (team, user) => inner.isTeamMember(team, user),
    recordDeployment: (record) => {
      seen.push(record);
      return record.state === 'in_progress' ? new Promise(() => undefined) : Promise.reject(new Error('GitHub is down'));
    },
  };
}

describe('the deploy state machine and a board that records deploys', { timeout: 120_000 }, () => {
  it('tells the board about deploying and success; a hanging or failing board neither stops nor fails the deploy', async () => {
    const seen: DeploymentRecord[] = [];
    const world = await worlds.create({
      tickets: [
        new TicketBuilder('OPS-1')
          .title('Cache tiles')
          .comment('alice', 'CQ: pass', new Date(Date.now() - 60_000))
          .comment('carol', 'QA: pass', new Date(Date.now() - 30_000)),
      ],
      wrapBoard: (board) => recordingBoard(board, seen),
    });
    const result = await world.beat();
    expect(result.outcome).toBe('ok');
    expect((await world.ticket('OPS-1')).status).toBe('closed');
    expect(seen.map((r) => [r.state, r.ticket, r.app, r.ref])).toEqual([
      ['in_progress', 'OPS-1', 'hotdash-staging', '3f9c2e1'],
      ['success', 'OPS-1', 'hotdash-staging', '3f9c2e1'],
    ]);
    expect(seen[1]).toMatchObject({ description: 'v3 registry.fly.io/hotdash-staging:3f9c2e1', environmentUrl: `${world.appsUrl}/hotdash-staging` });
    const warnings = world.logs.lines.filter((l) => l.level === 'warn').map((l) => [l.msg, l.state]);
    expect(warnings).toContainEqual(['recording the deployment on the board is slow; the deploy goes on', 'in_progress']);
    expect(warnings).toContainEqual(['the deployment could not be recorded on the board', 'success']);
  });
});
