import { describe, expect, it } from 'vitest';
import { TicketBuilder } from '../../../helpers/ticket-builder.js';
import { createSlackWorld, readable } from '../../../mentions/slack-world.js';

const ago = (minutes: number) => new Date(Date.now() - minutes * 60_000);
const HOSTILE_TITLE = `<!channel> ping <@U0123ABCD> & <script>x</script> ${'long '.repeat(1000)}`;

describe('the heartbeat talking through Slack', () => {
  it('asks in #standup, posts the summary, updates one progress message per deploy, and resolves the question in place', async () => {
    const cqOnly = new TicketBuilder('OPS-1').title('Cache tiles').notes('app: billing\nref: 5e6f7a8').comment('alice', 'CQ: pass', ago(3));
    const { world, slack } = await createSlackWorld({ tickets: [cqOnly] });
    await world.beat();

    const top = () => slack.botMessages('C0STANDUP').filter((m) => !m.thread_ts);
    const [question, summary] = top();
    expect(readable(question!.text)).toBe('Question about OPS-1 Cache tiles: no QA record');
    expect(question!.blocks![0]).toEqual({ type: 'header', text: { type: 'plain_text', text: '⚠️ Question: OPS-1 Cache tiles: no QA record', emoji: true } });
    expect(readable(summary!.text)).toMatch(/^Deploy summary: 1 not deployed \(hb-/);

    await world.writeTicket(cqOnly.comment('carol', 'QA: pass', ago(1)));
    const result = await world.beat();
    expect(result.outputs['execute-deploys']?.outcomes).toMatchObject([{ ticket: 'OPS-1', state: 'succeeded' }]);

    const progress = top().filter((m) => m.text.startsWith('OPS-1 →'));
    expect(progress.map((m) => readable(m.text))).toEqual(['OPS-1 → billing (registry.fly.io/billing:5e6f7a8): done']);
    const updates = slack.callsTo('chat.update').filter((c) => c.args.ts === progress[0]!.ts);
    expect(updates.length).toBeGreaterThanOrEqual(1);
    expect(readable(String(updates.at(-1)!.args.text))).toBe('OPS-1 → billing (registry.fly.io/billing:5e6f7a8): done');

    // The question: one "resolved" reply in its thread, and the question itself updated.
    expect(slack.thread('C0STANDUP', question!.ts).map((m) => readable(m.text))).toEqual(['Resolved: OPS-1 — CQ and QA passed; deployed.']);
    expect(readable(slack.message('C0STANDUP', question!.ts)!.text)).toBe('Resolved: OPS-1 Cache tiles: no QA record — CQ and QA passed; deployed');
    expect(top().filter((m) => m.text.startsWith('Deploy summary'))).toHaveLength(2);
  });

  it('renders a 5,000-character ticket title full of Slack markup safely in the question', async () => {
    const hostile = new TicketBuilder('OPS-2').title(HOSTILE_TITLE).notes('app: billing\nref: 5e6f7a8').comment('alice', 'CQ: pass', ago(3));
    const { world, slack } = await createSlackWorld({ tickets: [hostile] });
    const result = await world.beat();
    expect(result.outcome).toBe('ok');

    const posts = slack.callsTo('chat.postMessage');
    expect(posts.length).toBeGreaterThanOrEqual(2);
    for (const post of posts) {
      const payload = JSON.stringify(post.args);
      expect(payload).not.toMatch(/<!channel>|<@U0123ABCD>|<script>/);
      expect(String(post.args.text).length).toBeLessThanOrEqual(4000);
    }
    const question = slack.botMessages('C0STANDUP').find((m) => m.text.startsWith('Question about OPS-2'))!;
    expect(question.text.startsWith('Question about OPS-2 &lt;!channel&gt; ping &lt;@U0123ABCD&gt; &amp; &lt;script&gt;x&lt;/script&gt; long')).toBe(true);
    expect(question.blocks![0]!.text!.text.length).toBeLessThanOrEqual(150);
  });
});
