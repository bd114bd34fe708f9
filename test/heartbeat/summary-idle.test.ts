import { describe, expect, it } from 'vitest';
import { worldsClosedAfterEach } from '../helpers/world-per-test.js';
import { TicketBuilder } from '../helpers/ticket-builder.js';

const worlds = worldsClosedAfterEach();

describe('the deployment summary on a heartbeat where nothing happened', { timeout: 90_000 }, () => {
  it('says nothing by default: no ticket ready, nothing posted', async () => {
    const world = await worlds.create({ tickets: [new TicketBuilder('OPS-1').status('closed')] });

    const result = await world.beat();

    expect(result.outcome).toBe('ok');
    expect(result.outputs['read-queue']?.tickets).toEqual([]);
    expect(result.outputs['post-summary']).toEqual({ posted: false, questionsAsked: [], questionsResolved: [], reminders: [] });
    expect(world.standup()).toEqual([]);
    expect(world.chatText()).toBe('');
    expect(await world.flyCalls()).toEqual([]);
  });

  it('posts "nothing to deploy" with report.postWhenIdle', async () => {
    const world = await worlds.create({ configYaml: ['report: { postWhenIdle: true }'] });

    const result = await world.beat();

    expect(world.standup().map((e) => [e.action, e.message])).toEqual([
      [
        'post',
        {
          text: `Deploy summary: nothing to deploy (${result.hb})`,
          title: 'Deploy summary: nothing to deploy',
          tone: 'success',
          sections: [{ lines: [`heartbeat ${result.hb}`] }],
        },
      ],
    ]);
  });
});
