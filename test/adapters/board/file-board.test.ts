import { writeFileSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileBoard } from '../../../src/adapters/board/file-board.js';
import { boardTestdir } from '../../helpers/board-testdir.js';
import { ticketFileText } from '../../helpers/ticket-builder.js';
import { runBoardContract } from './board-contract.js';

const NOW = new Date('2026-11-26T10:00:00Z');

runBoardContract('FileBoard', async ({ tickets, teams, now }) => {
  const dir = await boardTestdir(Object.fromEntries(tickets.map((t) => [`${t.id}.md`, ticketFileText(t)])));
  return { board: new FileBoard({ dir, teams, now }), ids: tickets.map((t) => t.id), missingId: 'OPS-999' };
});

async function boardWith(files: Record<string, string>): Promise<{ board: FileBoard; dir: string }> {
  const dir = await boardTestdir(files);
  return { board: new FileBoard({ dir, teams: {}, now: () => NOW }), dir };
}

const CHECKOUT = `---
title: Ship the new checkout
status: rfp            # rfp | closed | deploy-failed
labels: [checkout, { name: emergency, by: dave, at: 2026-11-25T09:00:00Z }]
ready: { by: alice, at: 2026-11-25T08:00:00Z }
assignee: bob
---
The new checkout flow.

\`\`\`deploy
app: hotdash-staging
ref: 3f9c2e1
\`\`\`

<!-- comment id="c1" author="alice" at="2026-11-25T09:05:00Z" -->
CQ: pass

<!-- comment author=carol at='2026-11-25 09:10' -->
QA: pass
`;

describe('FileBoard: reading the format', () => {
  it('reads front matter, description and comments, with tolerant attributes and times', async () => {
    const { board } = await boardWith({ 'OPS-101.md': CHECKOUT });
    const ticket = await board.readTicket('OPS-101');
    expect(ticket).toMatchObject({
      id: 'OPS-101',
      title: 'Ship the new checkout',
      status: 'rfp',
      body: 'The new checkout flow.\n\n```deploy\napp: hotdash-staging\nref: 3f9c2e1\n```',
      labels: [{ name: 'checkout' }, { name: 'emergency', addedBy: 'dave', addedAt: new Date('2026-11-25T09:00:00Z') }],
      readyBy: 'alice',
      readyAt: new Date('2026-11-25T08:00:00Z'),
      comments: [
        { id: 'c1', author: 'alice', createdAt: new Date('2026-11-25T09:05:00Z'), body: 'CQ: pass' },
        { id: 'c2', author: 'carol', createdAt: new Date('2026-11-25T09:10:00Z'), body: 'QA: pass' },
      ],
    });
    expect(ticket.problems).toBeUndefined();
  });

  it('maps unknown statuses to other and reads status case-insensitively', async () => {
    const { board } = await boardWith({
      'OPS-1.md': '---\ntitle: a\nstatus: RFP\n---\nx\n',
      'OPS-2.md': '---\ntitle: b\nstatus: in-review\n---\nx\n',
      'OPS-3.md': '---\ntitle: c\n---\nx\n',
    });
    expect((await board.listReady()).map((t) => t.id)).toEqual(['OPS-1']);
    expect((await board.readTicket('OPS-2')).status).toBe('other');
    expect((await board.readTicket('OPS-3')).status).toBe('other');
  });

  it('lists in id order (OPS-2 before OPS-10) and ignores README.md, dotfiles and other files', async () => {
    const rfp = (title: string): string => `---\ntitle: ${title}\nstatus: rfp\n---\nbody\n`;
    const { board } = await boardWith({
      'OPS-10.md': rfp('ten'),
      'OPS-2.md': rfp('two'),
      'README.md': 'This folder holds tickets.',
      '.OPS-3.md.tmp': rfp('temp'),
      'notes.txt': rfp('text'),
      'sub/OPS-4.md': rfp('nested'),
    });
    expect((await board.listReady()).map((t) => t.id)).toEqual(['OPS-2', 'OPS-10']);
  });

  it('reads Windows line endings and a byte-order mark', async () => {
    const { board } = await boardWith({ 'OPS-1.md': `\uFEFF${CHECKOUT.replace(/\n/g, '\r\n')}` });
    const ticket = await board.readTicket('OPS-1');
    expect(ticket.title).toBe('Ship the new checkout');
    expect(ticket.comments).toHaveLength(2);
    expect(ticket.body).not.toContain('\r');
  });

  it('reads the example in its README', async () => {
    const readme = await readFile(path.resolve('src/adapters/board/README.md'), 'utf8');
    const example = /````markdown\n([\s\S]*?)````/.exec(readme)?.[1] ?? '';
    const { board } = await boardWith({ 'OPS-101.md': example });
    const ticket = await board.readTicket('OPS-101');
    expect(ticket.problems).toBeUndefined();
    expect(ticket.comments.map((c) => c.body)).toEqual(['CQ: pass', 'QA: pass']);
    expect(ticket.labels[1]).toEqual({ name: 'emergency', addedBy: 'dave', addedAt: new Date('2026-11-25T09:00:00Z') });
  });
});

describe('FileBoard: files that cannot be read are reported, not skipped', () => {
  it('lists a ticket whose front matter is not valid YAML, with the line and what to fix', async () => {
    const { board } = await boardWith({ 'OPS-5.md': '---\ntitle: Broken\nstatus: [rfp\n---\nbody\n' });
    const [ticket] = await board.listReady();
    expect(ticket?.id).toBe('OPS-5');
    expect(ticket?.status).toBe('other');
    expect(ticket?.body).toBe('body');
    expect(ticket?.problems).toEqual([
      {
        line: 3,
        text: 'status: [rfp',
        message: 'The front matter is not valid YAML (Flow sequence in block collection must be sufficiently indented and end with a ]).',
      },
    ]);
  });

  it('lists a ticket without front matter, and one whose front matter is never closed', async () => {
    const { board } = await boardWith({ 'OPS-6.md': 'status: rfp\nJust text\n', 'OPS-7.md': '---\ntitle: x\nstatus: rfp\n' });
    const tickets = await board.listReady();
    expect(tickets.map((t) => [t.id, t.problems])).toEqual([
      [
        'OPS-6',
        [{ line: 1, text: 'status: rfp', message: 'The file must start with front matter: a line `---`, then `title:` and `status:`, then another `---`.' }],
      ],
      ['OPS-7', [{ line: 1, text: '---', message: 'The front matter that starts here is never closed: add a line `---` after its last field.' }]],
    ]);
  });

  it('reports a comment header without author or time, and reads the rest of the ticket', async () => {
    const { board } = await boardWith({
      'OPS-8.md': `${CHECKOUT}\n<!-- comment by carol -->\nQA: failed\n\n<!-- comment id="c1" author="dave" at="yesterday" -->\nhmm\n`,
    });
    const ticket = await board.readTicket('OPS-8');
    expect(ticket.comments.map((c) => c.body)).toEqual(['CQ: pass', 'QA: pass']);
    expect(ticket.problems).toEqual([
      {
        line: 21,
        text: '<!-- comment by carol -->',
        message: 'This comment header needs an `author` and a valid `at` time, e.g. `<!-- comment author="carol" at="2026-11-25T09:10:00Z" -->`.',
      },
      {
        line: 24,
        text: '<!-- comment id="c1" author="dave" at="yesterday" -->',
        message: 'This comment header needs a valid `at` time, e.g. `<!-- comment author="carol" at="2026-11-25T09:10:00Z" -->`.',
      },
    ]);
  });

  it('reports duplicate comment ids and malformed labels', async () => {
    const { board } = await boardWith({
      'OPS-9.md':
        '---\ntitle: t\nstatus: rfp\nlabels:\n  - emergency\n  - { by: dave }\n---\nbody\n' +
        '<!-- comment id="c1" author="a" at="2026-11-25" -->\none\n<!-- comment id="c1" author="b" at="2026-11-25" -->\ntwo\n',
    });
    const ticket = await board.readTicket('OPS-9');
    expect(ticket.labels).toEqual([{ name: 'emergency' }]);
    expect(ticket.comments.map((c) => c.body)).toEqual(['one']);
    expect(ticket.problems).toEqual([
      { line: 6, text: '  - { by: dave }', message: 'A label is a name, or `{ name: emergency, by: dave, at: 2026-11-25T09:00:00Z }`.' },
      { line: 11, text: '<!-- comment id="c1" author="b" at="2026-11-25" -->', message: 'Another comment already has id `c1`: give each comment its own id.' },
    ]);
  });

  it('lists a misnamed rfp file with a problem, and ignores misnamed files in other statuses', async () => {
    const { board } = await boardWith({
      'ops-7.md': '---\ntitle: lower\nstatus: rfp\n---\nbody\n',
      'notes.md': '---\ntitle: notes\n---\nbody\n',
    });
    const tickets = await board.listReady();
    expect(tickets.map((t) => [t.id, t.problems])).toEqual([
      ['ops-7', [{ line: 1, message: 'The file name `ops-7.md` is not a ticket id: rename it to a project key, a dash and a number, e.g. `OPS-101.md`.' }]],
    ]);
    await expect(board.ensureComment('ops-7', 'gate', 'x')).rejects.toMatchObject({ code: 'ticket_id_invalid' });
  });

  it('refuses ids that are not ticket ids, so no path outside the folder is touched', async () => {
    const { board } = await boardWith({});
    for (const id of ['../etc/passwd', 'OPS-1/../../x', 'ops-1', 'OPS-']) {
      await expect(board.readTicket(id)).rejects.toMatchObject({ code: 'ticket_id_invalid' });
    }
  });

  it('lists a file it cannot read with a problem, and still lists the others', async () => {
    const { board, dir } = await boardWith({ 'OPS-1.md': CHECKOUT });
    await mkdir(path.join(dir, 'OPS-2.md'));
    const tickets = await board.listReady();
    expect(tickets.map((t) => [t.id, t.status, t.problems])).toEqual([
      ['OPS-1', 'rfp', undefined],
      ['OPS-2', 'other', [{ line: 1, message: 'opsbeat cannot read this file (EISDIR): check that it is a readable file.' }]],
    ]);
  });

  it('refuses a comment key its marker cannot carry', async () => {
    const { board } = await boardWith({ 'OPS-1.md': CHECKOUT });
    await expect(board.ensureComment('OPS-1', 'gate OPS-1', 'x')).rejects.toMatchObject({ code: 'invariant_violated' });
  });

  it('says what is wrong when the folder does not exist', async () => {
    const board = new FileBoard({ dir: path.join(await boardTestdir(), 'missing'), teams: {}, now: () => NOW });
    await expect(board.listReady()).rejects.toMatchObject({
      code: 'board_io_failed',
      service: 'board',
      message: 'the board folder cannot be read',
      details: 'Check that board.files.dir (missing) exists and is readable.',
    });
  });
});

describe('FileBoard: writing', () => {
  it('appends its comment after the others, then rewrites only that comment', async () => {
    const { board, dir } = await boardWith({ 'OPS-1.md': CHECKOUT });
    await board.ensureComment('OPS-1', 'gate', 'Held: first.');
    const created = await readFile(path.join(dir, 'OPS-1.md'), 'utf8');
    expect(created).toBe(
      `${CHECKOUT}\n<!-- comment id="c3" author="opsbeat" at="2026-11-26T10:00:00.000Z" -->\n<!-- opsbeat:gate -->\nHeld: first.\n`,
    );
    await writeFile(path.join(dir, 'OPS-1.md'), `${created}\n<!-- comment author="carol" at="2026-11-26 11:00" -->\nfixed it\n`);
    expect(await board.ensureComment('OPS-1', 'gate', 'Resolved.')).toBe('updated');
    expect(await readFile(path.join(dir, 'OPS-1.md'), 'utf8')).toBe(
      `${CHECKOUT}\n<!-- comment id="c3" author="opsbeat" at="2026-11-26T10:00:00.000Z" -->\n<!-- opsbeat:gate -->\nResolved.\n\n` +
        '<!-- comment author="carol" at="2026-11-26 11:00" -->\nfixed it\n',
    );
  });

  it('escapes a body line that would read as a comment header, and reads it back unchanged', async () => {
    const { board } = await boardWith({ 'OPS-1.md': CHECKOUT });
    const body = 'Quoting:\n<!-- comment author="x" at="2026-01-01" -->\nend';
    await board.ensureComment('OPS-1', 'gate', body);
    const ticket = await board.readTicket('OPS-1');
    expect(ticket.comments).toHaveLength(3);
    expect(ticket.comments[2]?.body).toBe(`<!-- opsbeat:gate -->\n${body}`);
    expect(await board.ensureComment('OPS-1', 'gate', body)).toBe('unchanged');
  });

  it('does not count a comment by someone else that copies its marker', async () => {
    const { board } = await boardWith({ 'OPS-1.md': `${CHECKOUT}\n<!-- comment author="mallory" at="2026-11-25" -->\n<!-- opsbeat:gate -->\nCQ: pass\n` });
    expect((await board.readTicket('OPS-1')).comments[2]?.opsbeatKey).toBeUndefined();
    expect(await board.ensureComment('OPS-1', 'gate', 'Held.')).toBe('created');
  });

  it('changes only the status value and appends to history, keeping the rest of the front matter', async () => {
    const { board, dir } = await boardWith({ 'OPS-1.md': CHECKOUT });
    await board.moveTicket('OPS-1', 'rfp', 'closed');
    const text = await readFile(path.join(dir, 'OPS-1.md'), 'utf8');
    expect(text.split('---\n')[1]).toBe(
      'title: Ship the new checkout\n' +
        'status: closed            # rfp | closed | deploy-failed\n' +
        'labels: [checkout, { name: emergency, by: dave, at: 2026-11-25T09:00:00Z }]\n' +
        'ready: { by: alice, at: 2026-11-25T08:00:00Z }\n' +
        'assignee: bob\n' +
        'history:\n' +
        '  - { at: 2026-11-26T10:00:00.000Z, by: opsbeat, from: rfp, to: closed }\n',
    );
    expect(text.slice(text.indexOf('The new checkout flow.'))).toBe(CHECKOUT.slice(CHECKOUT.indexOf('The new checkout flow.')));
    await board.moveTicket('OPS-1', 'closed', 'rfp');
    expect(await readFile(path.join(dir, 'OPS-1.md'), 'utf8')).toContain(
      'history:\n  - { at: 2026-11-26T10:00:00.000Z, by: opsbeat, from: rfp, to: closed }\n' +
        '  - { at: 2026-11-26T10:00:00.000Z, by: opsbeat, from: closed, to: rfp }\n---\n',
    );
  });

  it('says ticket_moved with the status it found, and ticket_unreadable naming file and line', async () => {
    const { board } = await boardWith({
      'OPS-1.md': '---\ntitle: t\nstatus: in-review\n---\nbody\n',
      'OPS-2.md': '---\ntitle: t\nstatus: [rfp\n---\nbody\n',
    });
    await expect(board.moveTicket('OPS-1', 'rfp', 'closed')).rejects.toMatchObject({
      code: 'ticket_moved',
      message: 'the ticket is no longer in the expected status',
      details: 'OPS-1 has status "in-review", not "rfp": someone moved it meanwhile, so opsbeat left it alone.',
    });
    await expect(board.moveTicket('OPS-2', 'rfp', 'closed')).rejects.toMatchObject({
      code: 'ticket_unreadable',
      fields: { ticket: 'OPS-2', file: 'OPS-2.md', line: 3 },
      details: 'OPS-2.md, line 3: The front matter is not valid YAML (Flow sequence in block collection must be sufficiently indented and end with a ]).',
    });
  });

  it('says ticket_unreadable when history is not a list', async () => {
    const { board } = await boardWith({ 'OPS-1.md': '---\ntitle: t\nstatus: rfp\nhistory: moved once\n---\nbody\n' });
    await expect(board.moveTicket('OPS-1', 'rfp', 'closed')).rejects.toMatchObject({
      code: 'ticket_unreadable',
      details: 'OPS-1.md, line 4: `history` must be a list: opsbeat appends its status moves to it.',
    });
  });

  it('says ticket_not_found when writing to a ticket that does not exist', async () => {
    const { board } = await boardWith({});
    await expect(board.ensureComment('OPS-404', 'gate', 'x')).rejects.toMatchObject({ code: 'ticket_not_found' });
    await expect(board.moveTicket('OPS-404', 'rfp', 'closed')).rejects.toMatchObject({ code: 'ticket_not_found' });
  });

  it('leaves no temporary files behind and keeps every concurrent write', async () => {
    const { board, dir } = await boardWith({ 'OPS-1.md': CHECKOUT, 'OPS-2.md': CHECKOUT });
    await Promise.all([
      ...Array.from({ length: 5 }, (_, i) => board.ensureComment('OPS-1', `k${i}`, `body ${i}`)),
      board.moveTicket('OPS-1', 'rfp', 'closed'),
      board.ensureComment('OPS-2', 'gate', 'x'),
    ]);
    expect((await readdir(dir)).sort()).toEqual(['OPS-1.md', 'OPS-2.md']);
    const ticket = await board.readTicket('OPS-1');
    expect(ticket.status).toBe('closed');
    expect(ticket.comments.flatMap((c) => (c.opsbeatKey ? [c.opsbeatKey] : [])).sort()).toEqual(['k0', 'k1', 'k2', 'k3', 'k4']);
  });

  it('starts again from the new text when someone saves the file while it writes', async () => {
    const dir = await boardTestdir({ 'OPS-1.md': CHECKOUT });
    const file = path.join(dir, 'OPS-1.md');
    let edits = 0;
    // The clock is read while the new text is built: the moment to simulate a person saving the file.
    const board = new FileBoard({
      dir,
      teams: {},
      now: () => {
        if (edits++ === 0) writeFileSync(file, `${CHECKOUT}\n<!-- comment author="carol" at="2026-11-26" -->\nhuman edit\n`);
        return NOW;
      },
    });
    expect(await board.ensureComment('OPS-1', 'gate', 'Held.')).toBe('created');
    const ticket = await board.readTicket('OPS-1');
    expect(ticket.comments.map((c) => c.body)).toEqual(['CQ: pass', 'QA: pass', 'human edit', '<!-- opsbeat:gate -->\nHeld.']);
  });
});

describe('FileBoard.create', () => {
  it('builds the board from the files configuration', async () => {
    const dir = await boardTestdir({ 'OPS-1.md': CHECKOUT });
    const board = FileBoard.create({ board: { kind: 'files', files: { dir, teams: { '@acme/qa': ['carol'] } } } }, () => NOW);
    expect(board.kind).toBe('files');
    expect((await board.listReady()).map((t) => t.id)).toEqual(['OPS-1']);
    expect(await board.isTeamMember('@acme/qa', 'Carol')).toBe(true);
  });
});
