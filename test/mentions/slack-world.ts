import { afterEach } from 'vitest';
import { runHeartbeat, type HeartbeatResult } from '../../src/heartbeat/runner.js';
import { STEPS } from '../../src/heartbeat/steps.js';
import { createWorld, type World, type WorldOptions } from '../helpers/world.js';
import { BOT_TOKEN, FakeSlack, type FakeSlackOptions } from '../fakes/slack/fake-slack.js';

/**
 * A whole opsbeat world (test/helpers/world.ts) whose chat is Slack: the real SlackChat and
 * WebClient against a fake Slack. People: alice (CQ, U0ALICE), carol (QA, U0CAROL) and dave
 * (operator, U0DAVE). Closed, and the fake verified, after each test.
 *
 *   const { world, slack, say, answers } = await createSlackWorld();
 *   const ts = say('lock billing db migration for 2h');
 *   await world.beat();
 *   expect(answers(ts)).toEqual(['Locked billing until …']);
 */

export const PEOPLE = { alice: 'U0ALICE', carol: 'U0CAROL', dave: 'U0DAVE' } as const;

export interface SlackWorld {
  world: World;
  slack: FakeSlack;
  /** Someone mentions the bot in a channel (default: dave in #standup); returns the message ts. */
  say(text: string, options?: { user?: string; channel?: string; threadTs?: string }): string;
  /** opsbeat's replies in the thread of a message, as people read them. */
  answers(ts: string, channel?: string): string[];
  /** Only step 8, as a heartbeat of its own (nothing else in the world moves). */
  mentionsOnly(): Promise<HeartbeatResult>;
}

const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

export async function createSlackWorld(
  options: WorldOptions & { slack?: FakeSlack; slackOptions?: FakeSlackOptions; slackYaml?: string } = {},
): Promise<SlackWorld> {
  let slack = options.slack;
  if (!slack) {
    const started = await FakeSlack.start(options.slackOptions);
    slack = started;
    cleanups.push(async () => {
      await started.close();
      started.verify();
    });
  }
  const world = await createWorld({
    ...options,
    configYaml: [
      `chat: { kind: slack, slack: { apiUrl: "${slack.url}", standupChannel: standup, incidentChannel: incidents, retries: 1, timeout: 5s${options.slackYaml ?? ''} } }`,
      `people: { alice: { slack: ${PEOPLE.alice} }, carol: { slack: ${PEOPLE.carol} }, dave: { slack: ${PEOPLE.dave} } }`,
      ...(options.configYaml ?? []),
    ],
    env: { SLACK_BOT_TOKEN: BOT_TOKEN, ...options.env },
  });
  cleanups.push(() => world.close());
  const fake = slack;
  return {
    world,
    slack: fake,
    say: (text, o = {}) => fake.userSays(o.channel ?? 'C0STANDUP', o.user ?? PEOPLE.dave, `<@U0BOT> ${text}`, o.threadTs ? { threadTs: o.threadTs } : {}),
    answers: (ts, channel = 'C0STANDUP') => fake.thread(channel, ts).filter((m) => m.user === 'U0BOT').map((m) => readable(m.text)),
    mentionsOnly: () => runHeartbeat(world.deps, { trigger: 'manual', steps: STEPS.filter((s) => s.name === 'answer-mentions') }),
  };
}

/** Slack text back to what a person reads: entities decoded, the zero-width guards removed. */
export function readable(text: string | undefined): string {
  return (text ?? '').replace(/\u200B/g, '').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}
