import { describe, expect, it } from 'vitest';
import { readVerdicts } from '../../src/gate/read-verdicts.js';
import { TicketBuilder } from '../helpers/ticket-builder.js';

function verdictOf(body: string) {
  const [verdict] = readVerdicts(new TicketBuilder().comment('carol', body).build().comments);
  return verdict;
}

describe('readVerdicts', () => {
  it.each([
    ['CQ: pass', 'cq', 'pass'],
    ['QA: passed', 'qa', 'pass'],
    ['qa - PASSED', 'qa', 'pass'],
    ['CQ: approved', 'cq', 'pass'],
    ['CQ: LGTM 👍', 'cq', 'pass'],
    ['QA: ok!', 'qa', 'pass'],
    ['**QA:** pass', 'qa', 'pass'],
    ['QA — pass (mobile and desktop)', 'qa', 'pass'],
    ['QA: failed — checkout test red', 'qa', 'fail'],
    ['CQ: fail', 'cq', 'fail'],
    ['CQ: rejected: too many queries', 'cq', 'fail'],
    ['CQ: changes requested', 'cq', 'fail'],
    ['QA: looks fine to me', 'qa', 'unclear'],
    ['QA: pass?', 'qa', 'unclear'],
    ['QA: passing so far', 'qa', 'unclear'],
    ['QA:', 'qa', 'unclear'],
  ])('reads %j as %s %s', (body, kind, result) => {
    expect(verdictOf(body)).toMatchObject({ kind, result, author: 'carol', line: body, source: 'c1', selfContradictory: false });
  });

  it('reads an explicit ref', () => {
    expect(verdictOf('QA: pass @ 3f9c2e1')).toMatchObject({ result: 'pass', ref: '3f9c2e1' });
    expect(verdictOf('CQ: approved @v1.2.3 — nice')).toMatchObject({ result: 'pass', ref: 'v1.2.3' });
    expect(verdictOf('QA: pass')?.ref).toBeUndefined();
  });

  it('only reads the first line as the record', () => {
    expect(readVerdicts(new TicketBuilder().comment('carol', 'Thanks!\nQA: pass').build().comments)).toEqual([]);
    expect(readVerdicts(new TicketBuilder().comment('carol', '> QA: pass\nagreed').build().comments)).toEqual([]);
    expect(verdictOf('QA: pass\nChecked on mobile and desktop.')).toMatchObject({ result: 'pass', selfContradictory: false });
  });

  it('marks a record that says the opposite further down as self-contradictory', () => {
    expect(verdictOf('QA: pass\nEdit: QA: failed on Safari')).toMatchObject({ result: 'pass', selfContradictory: true });
    expect(verdictOf('CQ: fail\nactually CQ - LGTM')).toMatchObject({ result: 'fail', selfContradictory: true });
    expect(verdictOf('QA: pass\nCQ: failed')).toMatchObject({ selfContradictory: false });
  });

  it('never reads opsbeat comments as records', () => {
    const comments = new TicketBuilder().opsbeatComment('gate', 'CQ: pass').comment('alice', 'CQ: pass').build().comments;
    expect(readVerdicts(comments).map((v) => v.author)).toEqual(['alice']);
  });

  it('keeps the time, author and comment id', () => {
    const comments = new TicketBuilder().comment('Alice', 'CQ: pass', '2026-11-25T10:00:00Z').build().comments;
    expect(readVerdicts(comments)).toEqual([
      { kind: 'cq', result: 'pass', author: 'Alice', at: new Date('2026-11-25T10:00:00Z'), line: 'CQ: pass', source: 'c1', selfContradictory: false },
    ]);
  });
});
