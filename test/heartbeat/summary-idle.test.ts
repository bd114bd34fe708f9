import { afterEach, describe, expect, it } from 'vitest';
import { createWorld, type World } from '../helpers/world.js';
import { TicketBuilder } from '../helpers/ticket-builder.js';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

describe('the deployment summary on a heartbeat where nothing happened', { timeout: 90_000 }, () => {
  it('says nothing by default: no ticket ready, nothing posted', async () => {
    world = await createWorld({ tickets: [new TicketBuilder('OPS-1').status('closed')] });

    const result = await world.beat();

    expect(result.outcome).toBe('ok');
    expect(result.outputs['read-queue']?.tickets).toEqual([]);
    expect(result.outputs['post-summary']).toEqual({ posted: false, questionsAsked: [], questionsResolved: [], reminders: [] });
    expect(world.standup()).toEqual([]);
    expect(world.chatText()).toBe('');
    expect(await world.flyCalls()).toEqual([]);
  });

  it('posts "nothing to deploy" with report.postWhenIdle', async () => {
    world = await createWorld({ configYaml: ['report: { postWhenIdle: true }'] });

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
