import { describe, expect, it } from 'vitest';
import { clip, escapeMrkdwn, escapeText } from '../../../../src/adapters/chat/slack/escape.js';
import { renderBlocks, SLACK_LIMITS, type Block } from '../../../../src/adapters/chat/slack/render-blocks.js';

const textOf = (b: Block): string => ('text' in b ? b.text.text : b.elements.map((e) => e.text).join(''));

describe('escaping', () => {
  it('entity-encodes exactly &, < and >', () => {
    expect(escapeText(`<!channel> <@U0123ABCD> & "quotes" 'apostrophes' > done`)).toBe(
      `&lt;!channel&gt; &lt;@U0123ABCD&gt; &amp; "quotes" 'apostrophes' &gt; done`,
    );
    expect(escapeText('&amp;')).toBe('&amp;amp;');
  });

  it('puts a zero-width space before markers that could open formatting, and leaves markers inside words alone', () => {
    expect(escapeMrkdwn('*bold* _it_ ~gone~ `code` (*x*) SESSION_SECRET a*b')).toBe(
      '\u200B*bold* \u200B_it_ \u200B~gone~ \u200B`code\u200B` (\u200B*x*) SESSION_SECRET a*b',
    );
    expect(escapeMrkdwn('> quote <!here>')).toBe('&gt; quote &lt;!here&gt;');
  });

  it('clips with an ellipsis, never inside an entity or a surrogate pair', () => {
    expect(clip('abcdef', 6)).toBe('abcdef');
    expect(clip('abcdefg', 6)).toBe('abcde…');
    expect(clip('ab &amp; cd', 6)).toBe('ab …');
    expect(clip('abcd &lt;x', 9)).toBe('abcd …');
    expect(clip('abcd &lt;xy', 10)).toBe('abcd &lt;…');
    expect(clip('ab😀cd', 4)).toBe('ab…');
  });
});

describe('renderBlocks', () => {
  it('renders a title as a header with the tone, text as the fallback, and each section as its own block', () => {
    expect(
      renderBlocks({
        text: 'Deploy summary: 1 deployed (hb-1)',
        title: 'Deploy summary: 1 deployed',
        tone: 'success',
        sections: [{ heading: 'Deployed', lines: ['OPS-1 → billing v7', 'OPS-2 → hotdash v3'] }, { lines: ['heartbeat hb-1'] }],
      }),
    ).toEqual({
      text: 'Deploy summary: 1 deployed (hb-1)',
      blocks: [
        { type: 'header', text: { type: 'plain_text', text: '✅ Deploy summary: 1 deployed', emoji: true } },
        { type: 'section', text: { type: 'mrkdwn', text: '*Deployed*\n• OPS-1 → billing v7\n• OPS-2 → hotdash v3', verbatim: true } },
        { type: 'section', text: { type: 'mrkdwn', text: 'heartbeat hb-1', verbatim: true } },
      ],
    });
  });

  it('shows the text as a paragraph when there is no title, and carries a key in the first block id', () => {
    expect(renderBlocks({ text: 'Locked billing & co', tone: 'success' }, { key: 'mention:C1:2.3' })).toEqual({
      text: 'Locked billing &amp; co',
      blocks: [{ type: 'section', block_id: 'opsbeat:mention:C1:2.3', text: { type: 'mrkdwn', text: 'Locked billing &amp; co', verbatim: true } }],
    });
  });

  it('cuts a long list with a count of what was left out, within 50 blocks and the total budget', () => {
    const lines = Array.from({ length: 400 }, (_, i) => `line ${i} ${'y'.repeat(200)}`);
    const { blocks } = renderBlocks({ text: 't', title: 'T', sections: [{ heading: 'Many', lines }] });
    expect(blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocks);
    const total = blocks.reduce((n, b) => n + textOf(b).length, 0);
    expect(total).toBeLessThanOrEqual(SLACK_LIMITS.totalText + 20);
    for (const b of blocks.filter((b) => b.type === 'section')) expect(textOf(b).length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
    const shown = blocks.flatMap((b) => textOf(b).split('\n')).filter((l) => l.startsWith('• line')).length;
    expect(blocks.at(-1)).toEqual({ type: 'context', elements: [{ type: 'mrkdwn', text: `… and ${400 - shown} more`, verbatim: true }] });
  });

  it('stays within 50 blocks when there are many short sections', () => {
    const sections = Array.from({ length: 80 }, (_, i) => ({ lines: [`section ${i}`] }));
    const { blocks } = renderBlocks({ text: 't', title: 'T', sections });
    expect(blocks).toHaveLength(50);
    expect(blocks.at(-1)).toEqual({ type: 'context', elements: [{ type: 'mrkdwn', text: '… and 32 more', verbatim: true }] });
  });

  it('cuts one overlong line, and a header, to their limits', () => {
    const { blocks, text } = renderBlocks({ text: 'z'.repeat(5000), title: 'h'.repeat(400), sections: [{ lines: ['w'.repeat(5000)] }] });
    expect(textOf(blocks[0]!)).toHaveLength(SLACK_LIMITS.header);
    expect(textOf(blocks[1]!)).toHaveLength(SLACK_LIMITS.line);
    expect(text).toHaveLength(SLACK_LIMITS.fallback);
    expect(text.endsWith('…')).toBe(true);
  });
});
