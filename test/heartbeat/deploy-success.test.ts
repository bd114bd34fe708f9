import { describe, expect, it } from 'vitest';
import { readyTicket, withoutTimings } from '../helpers/world.js';
import { worldsClosedAfterEach } from '../helpers/world-per-test.js';
import { when } from '../../src/gate/hold-messages.js';

const worlds = worldsClosedAfterEach();

const NEW = 'registry.fly.io/hotdash-staging:3f9c2e1';
const OLD = 'registry.fly.io/hotdash-staging:b71c0de';
const NOTES = [
  'app: hotdash-staging',
  'ref: 3f9c2e1',
  'flags: { NEW_CHECKOUT: "on", TILE_CACHE: "30s" }',
  'smoke: [{ path: /api/tiles, status: 200, maxMs: 3000 }]',
].join('\n');

describe('a successful deploy through a real heartbeat', { timeout: 90_000 }, () => {
  it('deploys with the flags, runs the smoke checks, comments, closes the ticket and reports once', async () => {
    const world = await worlds.create({ tickets: [readyTicket('OPS-1', NOTES)] });

    const result = await world.beat();

    expect(result.outcome).toBe('ok');
    expect(await world.deployCalls()).toEqual([
      [
        'deploy', '--app', 'hotdash-staging', '--image', NEW, '--strategy', 'rolling', '--wait-timeout', '300s',
        '--deploy-retries', '0', '--yes', '--env', 'NEW_CHECKOUT=on', '--env', 'TILE_CACHE=30s',
      ],
    ]);
    const fly = await world.fly();
    for (const machine of fly.apps['hotdash-staging']!.machines) {
      expect(machine.image).toBe(NEW);
      expect(machine.env).toEqual({ NEW_CHECKOUT: 'on', TILE_CACHE: '30s' });
    }

    const [row, ...more] = await world.deps.ledger.deploymentsForTicket('OPS-1');
    expect(more).toEqual([]);
    expect(row).toMatchObject({ state: 'succeeded', releaseVersion: 3, failure: null, image: NEW, hb: result.hb });
    expect(row!.ticketDoneAt).not.toBeNull();
    const events = await world.deps.ledger.deploymentEvents(row!.id);
    expect(events.filter((e) => e.kind === 'transition').map((e) => e.toState)).toEqual([
      'planned', 'prechecked', 'deploying', 'verifying', 'succeeded',
    ]);
    const smoke = events.filter((e) => e.kind === 'check' && e.detail.kind === 'smoke').map((e) => withoutTimings(String(e.detail.summary)));
    expect(smoke).toEqual(['smoke /hotdash-staging/: HTTP 200 in N ms', 'smoke /hotdash-staging/api/tiles: HTTP 200 in N ms']);

    const ticket = await world.ticket('OPS-1');
    expect(ticket.status).toBe('closed');
    const comments = await world.opsbeatComments('OPS-1');
    expect(comments.map((c) => c.key)).toEqual([`deploy:${row!.id}`]);
    expect(withoutTimings(comments[0]!.body)).toBe(
      [
        `**Deployed** to \`hotdash-staging\`: v3 \`${NEW}\` (ref \`3f9c2e1\`) at ${when(row!.finishedAt!)}.`,
        '',
        'Verification:',
        '- ✔ hotdash-staging is not locked',
        '- ✔ inside a deploy window',
        '- ✔ hotdash-staging: 2 machines started, health HTTP 200 in N ms',
        `- ✔ rollback target ${OLD} (v2)`,
        `- ✔ 2 machines started on ${NEW}, checks passing`,
        '- ✔ health HTTP 200 in N ms',
        '- ✔ smoke /hotdash-staging/: HTTP 200 in N ms',
        '- ✔ smoke /hotdash-staging/api/tiles: HTTP 200 in N ms',
        '- ✔ no error lines in 2 log lines since the deploy',
        '',
        `Roll back to the previous release (v2): \`fly deploy --app hotdash-staging --image ${OLD} --strategy immediate --wait-timeout 300s --deploy-retries 0 --yes\``,
        '',
        `_opsbeat deployment ${row!.id}, heartbeat ${result.hb}_`,
      ].join('\n'),
    );

    // One progress message, posted when the deploy starts and then updated in place; one summary.
    const standup = world.standup();
    const posts = standup.filter((e) => e.action === 'post');
    expect(posts.map((e) => e.message.text)).toEqual([
      `OPS-1 → hotdash-staging (${NEW}): deploying…`,
      `Deploy summary: 1 deployed (${result.hb})`,
    ]);
    const progressTs = posts[0]!.ts;
    const updates = standup.filter((e) => e.action === 'update');
    expect(updates.every((e) => e.ts === progressTs)).toBe(true);
    expect(updates.map((e) => e.message.text.split(': ').at(-1))).toEqual(['verifying…', 'done']);
    expect(updates.at(-1)!.message.tone).toBe('success');
    expect(posts[1]!.message).toEqual({
      text: `Deploy summary: 1 deployed (${result.hb})`,
      title: 'Deploy summary: 1 deployed',
      tone: 'success',
      sections: [
        { heading: 'Deployed', lines: [`OPS-1 Cache tiles → hotdash-staging v3 (${NEW})`] },
        { lines: [`heartbeat ${result.hb}`] },
      ],
    });
  });

  it('does nothing more on the next heartbeat: no deploy, no comment, no message', async () => {
    const world = await worlds.create({ tickets: [readyTicket('OPS-1')] });
    await world.beat();
    const file = await world.ticketFile('OPS-1');
    const said = world.standup().length;

    const again = await world.beat();

    expect(again.outcome).toBe('ok');
    expect(await world.deployCalls()).toHaveLength(1);
    expect(await world.ticketFile('OPS-1')).toBe(file);
    expect(world.standup()).toHaveLength(said);
    expect(await world.deps.ledger.deploymentsForTicket('OPS-1')).toHaveLength(1);
  });
});
