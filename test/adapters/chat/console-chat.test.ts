import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConsoleChat, type TranscriptEntry } from '../../../src/adapters/chat/console-chat.js';
import { Redactor } from '../../../src/logging/redactor.js';
import { tmpDir } from '../../helpers/tmp-dir.js';

const NOW = new Date('2026-11-25T09:00:00Z');
const SECONDS = NOW.getTime() / 1000;
const CANARY = 'xoxb-canary-91c2e7d4';

function chat(options: { color?: boolean; transcriptPath?: string; redactor?: Redactor } = {}): { chat: ConsoleChat; printed: () => string } {
  let printed = '';
  const console = new ConsoleChat({
    out: { write: (text: string) => (printed += text) },
    transcriptPath: options.transcriptPath,
    color: options.color ?? false,
    redactor: options.redactor ?? new Redactor(),
    now: () => NOW,
  });
  return { chat: console, printed: () => printed };
}

async function transcriptFile(file: string): Promise<TranscriptEntry[]> {
  return (await readFile(file, 'utf8'))
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as TranscriptEntry);
}

describe('ConsoleChat', () => {
  it('posts, updates and replies, with refs that name the channel and a unique ts', async () => {
    const { chat: c } = chat();
    expect(c.kind).toBe('console');
    expect(c.channels).toEqual({ standup: 'standup', incidents: 'incidents' });
    const first = await c.postMessage('standup', { text: 'Deploying OPS-1' });
    const second = await c.postMessage('incidents', { text: 'hotdash-staging is down', tone: 'danger' });
    expect(first).toEqual({ channel: 'standup', ts: `${SECONDS}.000001` });
    expect(second).toEqual({ channel: 'incidents', ts: `${SECONDS}.000002` });
    await c.updateMessage(first, { text: 'Deployed OPS-1', tone: 'success' });
    const reply = await c.replyInThread(first, { text: 'v3 is live' });
    expect(reply).toEqual({ channel: 'standup', ts: `${SECONDS}.000003` });

    expect(c.transcript).toEqual([
      { at: NOW.toISOString(), action: 'post', channel: 'standup', ts: first.ts, message: { text: 'Deploying OPS-1' } },
      { at: NOW.toISOString(), action: 'post', channel: 'incidents', ts: second.ts, message: { text: 'hotdash-staging is down', tone: 'danger' } },
      { at: NOW.toISOString(), action: 'update', channel: 'standup', ts: first.ts, message: { text: 'Deployed OPS-1', tone: 'success' } },
      { at: NOW.toISOString(), action: 'reply', channel: 'standup', ts: reply.ts, threadTs: first.ts, message: { text: 'v3 is live' } },
    ]);
  });

  it('lists the latest version of each message in a channel in posting order, and the replies to one', async () => {
    const { chat: c } = chat();
    const a = await c.postMessage('standup', { text: 'a1' });
    const b = await c.postMessage('standup', { text: 'b1' });
    await c.postMessage('incidents', { text: 'elsewhere' });
    await c.updateMessage(a, { text: 'a2' });
    await c.replyInThread(a, { text: 'reply to a' });
    await c.replyInThread(b, { text: 'reply to b' });
    await c.replyInThread(a, { text: 'second reply to a' });

    expect(c.messagesIn('standup')).toEqual([{ text: 'a2' }, { text: 'b1' }]);
    expect(c.messagesIn('incidents')).toEqual([{ text: 'elsewhere' }]);
    expect(c.messagesIn('random')).toEqual([]);
    expect(c.repliesTo(a)).toEqual([{ text: 'reply to a' }, { text: 'second reply to a' }]);
    expect(c.repliesTo(b)).toEqual([{ text: 'reply to b' }]);
  });

  it('writes every post, update and reply to the transcript file as JSON lines, creating its folder', async () => {
    const dir = await tmpDir();
    const file = path.join(dir, 'nested', 'chat.jsonl');
    const { chat: c } = chat({ transcriptPath: file });
    const ref = await c.postMessage('standup', { text: 'Deploying OPS-1', title: 'Deploy' });
    await c.updateMessage(ref, { text: 'Deployed OPS-1', title: 'Deploy' });
    await c.replyInThread(ref, { text: 'details' });
    expect(await transcriptFile(file)).toEqual(c.transcript);
    expect((await transcriptFile(file)).map((e) => e.action)).toEqual(['post', 'update', 'reply']);

    // A second chat on the same file appends.
    const { chat: again } = chat({ transcriptPath: file });
    await again.postMessage('standup', { text: 'next heartbeat' });
    expect(await transcriptFile(file)).toHaveLength(4);
  });

  it('prints a readable line per message, with the fallback text under a title and sections indented', async () => {
    const { chat: c, printed } = chat();
    const ref = await c.postMessage('standup', {
      text: 'Deploy summary: 1 deployed',
      title: 'Deploy summary',
      tone: 'success',
      sections: [{ heading: 'Deployed', lines: ['OPS-1 → hotdash-staging v3'] }, { lines: ['No problems.'] }],
    });
    await c.postMessage('standup', { text: 'Idle heartbeat', title: 'Heartbeat' });
    await c.postMessage('incidents', { text: 'Just text', tone: 'warning' });
    await c.replyInThread(ref, { text: 'Rolled back', tone: 'danger' });
    expect(printed()).toBe(
      [
        '#standup ✔ Deploy summary',
        '    Deployed',
        '      OPS-1 → hotdash-staging v3',
        '      No problems.',
        '#standup • Heartbeat',
        '    Idle heartbeat',
        '#incidents ! Just text',
        '  ↳ #standup (thread) ✖ Rolled back',
        '',
      ].join('\n'),
    );
  });

  it('prints only the new lines of an update, under the new headline', async () => {
    const { chat: c, printed } = chat();
    const progress = (done: string[]) => ({
      text: `Deploying OPS-1: ${done.length} of 3`,
      title: `Deploying OPS-1: ${done.length} of 3`,
      sections: [{ lines: done }],
    });
    const ref = await c.postMessage('standup', progress(['pre-checks passed']));
    await c.updateMessage(ref, progress(['pre-checks passed', 'fly deploy finished']));
    await c.updateMessage(ref, progress(['pre-checks passed', 'fly deploy finished']));
    await c.updateMessage(ref, progress(['pre-checks passed', 'fly deploy finished', 'health passed']));
    expect(printed()).toBe(
      [
        '#standup • Deploying OPS-1: 1 of 3',
        '      pre-checks passed',
        '#standup (updated) • Deploying OPS-1: 2 of 3',
        '      fly deploy finished',
        '#standup (updated) • Deploying OPS-1: 2 of 3',
        '#standup (updated) • Deploying OPS-1: 3 of 3',
        '      health passed',
        '',
      ].join('\n'),
    );
  });

  it('colours the output only when asked', async () => {
    const plain = chat({ color: false });
    await plain.chat.postMessage('standup', { text: 'Rolled back', title: 'Rollback', tone: 'danger', sections: [{ heading: 'Why', lines: ['health failed'] }] });
    expect(plain.printed()).not.toContain('\u001b[');

    const coloured = chat({ color: true });
    await coloured.chat.postMessage('standup', { text: 'Rolled back', title: 'Rollback', tone: 'danger', sections: [{ heading: 'Why', lines: ['health failed'] }] });
    expect(coloured.printed()).toBe(
      [
        '\u001b[2m#standup\u001b[0m \u001b[31m✖\u001b[0m \u001b[1mRollback\u001b[0m',
        '    \u001b[1mWhy\u001b[0m',
        '      health failed',
        '',
      ].join('\n'),
    );
  });

  it('redacts a registered secret from the terminal, the transcript in memory and the file', async () => {
    const dir = await tmpDir();
    const file = path.join(dir, 'chat.jsonl');
    const redactor = new Redactor();
    redactor.add(CANARY);
    const { chat: c, printed } = chat({ transcriptPath: file, redactor });
    const ref = await c.postMessage('standup', {
      text: `token ${CANARY} leaked`,
      title: `Title ${CANARY}`,
      sections: [{ heading: CANARY, lines: [`line ${CANARY}`, `encoded ${encodeURIComponent(CANARY)}`] }],
    });
    await c.updateMessage(ref, { text: `update ${CANARY}` });
    await c.replyInThread(ref, { text: `reply ${Buffer.from(CANARY).toString('base64')}` });

    for (const text of [printed(), JSON.stringify(c.transcript), await readFile(file, 'utf8'), JSON.stringify(c.messagesIn('standup'))]) {
      expect(text).not.toContain(CANARY);
      expect(text).not.toContain(Buffer.from(CANARY).toString('base64'));
      expect(text).toContain('[REDACTED]');
    }
    expect(c.transcript[0]!.message.title).toBe('Title [REDACTED]');
  });

  it('uses the configured channel names', () => {
    let printed = '';
    const c = new ConsoleChat({
      out: { write: (t: string) => (printed += t) },
      transcriptPath: undefined,
      color: false,
      redactor: new Redactor(),
      now: () => NOW,
      channels: { standup: 'ops-standup', incidents: 'ops-incidents' },
    });
    expect(c.channels).toEqual({ standup: 'ops-standup', incidents: 'ops-incidents' });
    expect(printed).toBe('');
  });
});
