import { describe, expect, it } from 'vitest';
import { ConsoleChat } from '../../src/adapters/chat/console-chat.js';
import type { ChatMessage } from '../../src/adapters/chat/types.js';
import { ensureChatMessage } from '../../src/heartbeat/ensure-chat-message.js';
import { Redactor } from '../../src/logging/redactor.js';
import { openTestPglite } from '../helpers/stores.js';

const START = Date.parse('2026-11-25T09:00:00Z');

describe('ensureChatMessage', () => {
  it('posts a message once, leaves it alone while unchanged, and updates it in place when it changes', async () => {
    const { ledger } = await openTestPglite();
    let t = START;
    const now = (): Date => new Date(t);
    let printed = '';
    const chat = new ConsoleChat({ out: { write: (s: string) => (printed += s) }, transcriptPath: undefined, color: false, redactor: new Redactor(), now });
    const deps = { chat, ledger, now };
    const progress = (line: string): ChatMessage => ({ text: `Deploying OPS-1: ${line}`, title: 'Deploying OPS-1', sections: [{ lines: [line] }] });

    const created = await ensureChatMessage(deps, 'deploy:dep-1', 'standup', progress('pre-checks passed'));
    expect(created).toEqual({ outcome: 'created', ref: { channel: 'standup', ts: `${START / 1000}.000001` } });
    const saved = await ledger.getMessageRef('deploy:dep-1');
    expect(saved?.ref).toEqual(created.ref);

    t += 60_000;
    const unchanged = await ensureChatMessage(deps, 'deploy:dep-1', 'standup', progress('pre-checks passed'));
    expect(unchanged).toEqual({ outcome: 'unchanged', ref: created.ref });
    expect(await ledger.getMessageRef('deploy:dep-1')).toEqual(saved);

    t += 60_000;
    const updated = await ensureChatMessage(deps, 'deploy:dep-1', 'standup', progress('fly deploy finished'));
    expect(updated).toEqual({ outcome: 'updated', ref: created.ref });
    expect((await ledger.getMessageRef('deploy:dep-1'))?.hash).not.toBe(saved?.hash);

    expect(chat.transcript.map((e) => [e.action, e.ts, e.at])).toEqual([
      ['post', created.ref.ts, '2026-11-25T09:00:00.000Z'],
      ['update', created.ref.ts, '2026-11-25T09:02:00.000Z'],
    ]);
    expect(chat.messagesIn('standup')).toEqual([progress('fly deploy finished')]);
    expect(printed).toBe(
      [
        '#standup • Deploying OPS-1',
        '      pre-checks passed',
        '#standup (updated) • Deploying OPS-1',
        '      fly deploy finished',
        '',
      ].join('\n'),
    );

    // Back to an earlier content is a change too.
    expect((await ensureChatMessage(deps, 'deploy:dep-1', 'standup', progress('pre-checks passed'))).outcome).toBe('updated');
  });

  it('keeps messages with different keys apart, even with the same content', async () => {
    const { ledger } = await openTestPglite();
    const now = (): Date => new Date(START);
    const chat = new ConsoleChat({ out: { write: () => true }, transcriptPath: undefined, color: false, redactor: new Redactor(), now });
    const message: ChatMessage = { text: 'Question about OPS-2' };
    const a = await ensureChatMessage({ chat, ledger, now }, 'question:OPS-2', 'standup', message);
    const b = await ensureChatMessage({ chat, ledger, now }, 'question:OPS-3', 'standup', message);
    expect([a.outcome, b.outcome]).toEqual(['created', 'created']);
    expect(a.ref.ts).not.toBe(b.ref.ts);
    expect(chat.messagesIn('standup')).toHaveLength(2);
  });

  it('finds the message again through the ledger after a restart, with a new chat', async () => {
    const { ledger } = await openTestPglite();
    const now = (): Date => new Date(START);
    const before = new ConsoleChat({ out: { write: () => true }, transcriptPath: undefined, color: false, redactor: new Redactor(), now });
    const first = await ensureChatMessage({ chat: before, ledger, now }, 'summary:hb-1', 'standup', { text: 'one' });
    const after = new ConsoleChat({ out: { write: () => true }, transcriptPath: undefined, color: false, redactor: new Redactor(), now });
    expect(await ensureChatMessage({ chat: after, ledger, now }, 'summary:hb-1', 'standup', { text: 'one' })).toEqual({ outcome: 'unchanged', ref: first.ref });
    expect(await ensureChatMessage({ chat: after, ledger, now }, 'summary:hb-1', 'standup', { text: 'two' })).toEqual({ outcome: 'updated', ref: first.ref });
    expect(after.transcript.map((e) => [e.action, e.ts])).toEqual([['update', first.ref.ts]]);
  });
});
