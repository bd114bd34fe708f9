import { describe, expect, it } from 'vitest';
import { ConsoleChat } from '../../src/adapters/chat/console-chat.js';
import type { Chat } from '../../src/adapters/chat/types.js';
import type { Platform } from '../../src/adapters/platform/types.js';
import { FileBoard } from '../../src/adapters/board/file-board.js';
import { parseConfigText } from '../../src/config/load.js';
import { OpsbeatError } from '../../src/errors.js';
import { answerOnce } from '../../src/mentions/answer-once.js';
import type { MentionDeps } from '../../src/mentions/command-context.js';
import { Redactor } from '../../src/logging/redactor.js';
import { openTestPglite, silentLogger } from '../helpers/stores.js';
import { tmpDir } from '../helpers/tmp-dir.js';

const CONFIG = [
  'board: { kind: files }',
  'reviewers: { cq: [alice], qa: [carol], operators: [dave] }',
  'people: { dave: { slack: U0DAVE }, carol: { slack: U0CAROL } }',
  'apps:',
  '  billing:',
  '    image: "registry.fly.io/billing:{ref}"',
  '    health: { url: "https://billing.fly.dev/health" }',
].join('\n');

/** Platform calls are not part of these commands: any call fails the test. */
const noPlatform = new Proxy({} as Platform, {
  get: (_, name) => (name === 'kind' ? 'fly' : () => Promise.reject(new Error(`unexpected platform call ${String(name)}`))),
});

async function harness(chatOverride?: (chat: ConsoleChat) => Chat) {
  const dir = await tmpDir();
  const parsed = parseConfigText(CONFIG, 'opsbeat.yaml', {}, dir);
  if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
  const { ledger } = await openTestPglite();
  const redactor = new Redactor();
  const console = new ConsoleChat({ out: { write: () => true }, transcriptPath: undefined, color: false, redactor, now: () => new Date() });
  const deps: MentionDeps = {
    hb: 'hb-test',
    log: silentLogger(),
    signal: new AbortController().signal,
    config: parsed.config,
    ledger,
    board: new FileBoard({ dir, teams: {}, now: () => new Date() }),
    chat: chatOverride ? chatOverride(console) : console,
    platform: noPlatform,
    probes: { check: () => Promise.reject(new Error('unexpected probe')) },
    inspectSchema: () => Promise.reject(new Error('unexpected schema check')),
    secret: () => undefined,
    now: () => new Date(),
    redactor,
  };
  return { deps, console, ledger };
}

describe('answerOnce with the console chat', () => {
  it('answers a pushed mention in its thread with the hidden key, and never twice', async () => {
    const { deps, console } = await harness();
    const mention = console.pushMention({ user: 'U0DAVE', text: '@ops lock billing migration' });
    expect(mention).toMatchObject({ channel: 'standup', user: 'U0DAVE', text: 'lock billing migration' });
    const scan = await console.listMentions({}, new Date(Date.now() - 60_000));
    expect(scan.mentions).toEqual([mention]);
    expect(await console.listMentions(scan.cursors, new Date(0))).toMatchObject({ mentions: [] });

    expect(await answerOnce(deps, mention)).toEqual({ status: 'answered', command: 'lock' });
    expect(await answerOnce(deps, mention)).toEqual({ status: 'already_answered' });
    const replies = console.repliesTo({ channel: 'standup', ts: mention.ts });
    expect(replies.map((r) => r.text)).toEqual([
      'Locked billing until someone unlocks it: migration. opsbeat deploys nothing to billing until then; "unlock billing" lifts it.',
    ]);
    expect(console.transcript.at(-1)).toMatchObject({ action: 'reply', key: `mention:standup:${mention.ts}` });
  });

  it('gives up the claim when the reply fails, so the next scan answers it, changing nothing twice', async () => {
    let failures = 1;
    const { deps, console, ledger } = await harness((inner) => ({
      kind: inner.kind,
      channels: inner.channels,
      postMessage: (c, m) => inner.postMessage(c, m),
      updateMessage: (r, m) => inner.updateMessage(r, m),
      findReply: (p, k) => inner.findReply(p, k),
      replyInThread: (p, m, k) => {
        if (failures-- > 0) return Promise.reject(new OpsbeatError('slack_api_error', 'Slack refused the call'));
        return inner.replyInThread(p, m, k);
      },
    }));
    const mention = console.pushMention({ user: 'U0DAVE', text: 'lock all release freeze' });
    await expect(answerOnce(deps, mention)).rejects.toMatchObject({ code: 'slack_api_error' });
    expect(await ledger.activeLocks(new Date())).toHaveLength(1);
    expect(await answerOnce(deps, mention)).toEqual({ status: 'answered', command: 'lock' });
    expect(await ledger.activeLocks(new Date())).toHaveLength(1);
    expect(console.repliesTo({ channel: 'standup', ts: mention.ts })).toHaveLength(1);
  });

  it('answers someone it does not know, and refuses them what only operators may do', async () => {
    const { deps, console } = await harness();
    const help = console.pushMention({ user: 'U0WHO', text: 'help' });
    const unlock = console.pushMention({ user: 'U0WHO', text: 'unlock billing' });
    await answerOnce(deps, help);
    await answerOnce(deps, unlock);
    expect(console.repliesTo({ channel: 'standup', ts: help.ts })[0]?.text).toBe('opsbeat answers these commands, said to the bot or to @ops:');
    expect(console.repliesTo({ channel: 'standup', ts: unlock.ts }).map((r) => r.text)).toEqual([
      'Refused: only operators may unlock deploys: dave. Chat user U0WHO is not under people in the opsbeat configuration.',
    ]);
  });
});
