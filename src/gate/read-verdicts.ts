import type { TicketComment, TicketReview } from '../adapters/board/types.js';
import type { ReviewKind, Verdict } from './types.js';

/**
 * Review records: comments whose FIRST line is a verdict, e.g. `CQ: pass`, `QA: failed — checkout
 * test red`, `qa - PASSED`, `QA: pass @ 3f9c2e1`. A first line that names CQ or QA but says
 * neither pass nor fail is an `unclear` record. opsbeat's own comments are never records.
 * Records the board read elsewhere (evidence labels, pull-request reviews) follow the comments.
 */
export function readVerdicts(comments: readonly TicketComment[], reviews: readonly TicketReview[] = []): Verdict[] {
  const fromReviews = reviews.map(
    (r): Verdict => ({ kind: r.kind, result: r.result, author: r.author, at: r.at, line: r.line, source: r.source, selfContradictory: false }),
  );
  return [...fromComments(comments), ...fromReviews];
}

function fromComments(comments: readonly TicketComment[]): Verdict[] {
  return comments.flatMap((comment) => {
    if (comment.opsbeatKey !== undefined) return [];
    const [first = '', ...rest] = comment.body.replace(/\r\n/g, '\n').trim().split('\n');
    const head = HEAD.exec(first);
    if (!head) return [];
    const kind = (head[1] ?? '').toLowerCase() as ReviewKind;
    const { result, ref } = readResult(head[2] ?? '');
    const verdict: Verdict = {
      kind,
      result,
      author: comment.author,
      at: comment.createdAt,
      line: first.trim(),
      source: comment.id,
      selfContradictory: result !== 'unclear' && rest.some((line) => mentionsResult(line, kind, opposite(result))),
    };
    if (ref !== undefined) verdict.ref = ref;
    return [verdict];
  });
}

// `CQ: …`, `**QA:** …`, `qa - …`, `QA — …`: the kind, a separator, then the rest of the line.
const HEAD = /^[\s*_]*(cq|qa)[\s*_]*[:\-–—][\s*_]*(.*)$/i;
const PASS = ['passed', 'pass', 'ok', 'approved', 'lgtm'];
const FAIL = ['changes requested', 'failed', 'fail', 'rejected'];
// After the word: an optional `@ <ref>`, then nothing, a separator and a reason, or only emoji/punctuation.
const TAIL = /^(?:\s*@\s*([A-Za-z0-9][A-Za-z0-9._-]*))?\s*(?:$|[—–\-:,;.(!]|[\p{Extended_Pictographic}\p{S}][\p{Extended_Pictographic}\p{S}\s!.]*$)/u;

function readResult(rest: string): { result: Verdict['result']; ref?: string } {
  const text = rest.replace(/^[*_]+|[*_]+$/g, '').trim();
  for (const [result, words] of [['pass', PASS], ['fail', FAIL]] as const) {
    for (const word of words) {
      if (!text.toLowerCase().startsWith(word)) continue;
      const tail = TAIL.exec(text.slice(word.length).replace(/^[*_]+/, ''));
      if (!tail) continue;
      return tail[1] === undefined ? { result } : { result, ref: tail[1] };
    }
  }
  return { result: 'unclear' };
}

function opposite(result: 'pass' | 'fail'): 'pass' | 'fail' {
  return result === 'pass' ? 'fail' : 'pass';
}

/** Whether a later line of the same comment records `result` for `kind`, anywhere in the line. */
function mentionsResult(line: string, kind: ReviewKind, result: 'pass' | 'fail'): boolean {
  const words = (result === 'pass' ? PASS : FAIL).join('|');
  return new RegExp(`\\b${kind}[\\s*_]*[:\\-–—][\\s*_]*(?:${words})\\b`, 'i').test(line);
}
