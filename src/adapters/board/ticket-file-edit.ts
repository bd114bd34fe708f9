import { isScalar, isSeq, type LineCounter, type Node } from 'yaml';
import { commentMarker, type EnsureOutcome, type TicketProblem, type TicketStatus } from './types.js';
import { escapeLine, OPSBEAT_AUTHOR, statusFromText, trimBlankEnd, type TicketFile } from './ticket-file.js';

/**
 * The two edits opsbeat makes to a ticket file, as pure text transformations: its own comment
 * (created, or rewritten in place) and a status move. Everything else in the file is kept
 * byte for byte, including the front matter's comments and layout.
 */

export type CommentEdit = { outcome: 'unchanged' } | { outcome: Exclude<EnsureOutcome, 'unchanged'>; text: string };

export function withComment(file: TicketFile, key: string, body: string, now: Date): CommentEdit {
  const wanted = bodyLines(`${commentMarker(key)}\n${body}`);
  const existing = file.comments.find((s) => s.comment?.author.toLowerCase() === OPSBEAT_AUTHOR && s.comment.opsbeatKey === key);
  const lines = [...file.lines];
  if (existing?.comment) {
    if (sameText(bodyLines(existing.comment.body), wanted)) return { outcome: 'unchanged' };
    const gap = existing.end < lines.length ? [''] : [];
    lines.splice(existing.header + 1, existing.end - existing.header - 1, ...wanted.map(escapeLine), ...gap);
    return { outcome: 'updated', text: render(lines) };
  }
  const header = `<!-- comment id="${nextId(file)}" author="${OPSBEAT_AUTHOR}" at="${now.toISOString()}" -->`;
  return { outcome: 'created', text: render([...trimBlankEnd(lines), '', header, ...wanted.map(escapeLine)]) };
}

export type StatusEdit =
  | { kind: 'already' }
  | { kind: 'moved'; text: string }
  | { kind: 'elsewhere'; actual: string }
  | { kind: 'unreadable'; problem: TicketProblem | undefined };

/**
 * Set `status: to` and append `{ at, by: opsbeat, from, to }` to `history`, when the ticket is in
 * `from`. Edits the front matter text in place (only the status value and one history line change),
 * so people's layout and comments survive.
 */
export function withStatus(file: TicketFile, from: TicketStatus, to: Exclude<TicketStatus, 'other'>, now: Date): StatusEdit {
  const fm = file.frontMatter;
  if (!fm) return { kind: 'unreadable', problem: file.problems[0] };
  const { doc } = fm;
  const status = doc.get('status', true);
  const current = statusFromText(isScalar(status) ? status.value : undefined);
  if (current === to) return { kind: 'already' };
  if (current !== from || !isScalar(status) || !status.range) {
    return { kind: 'elsewhere', actual: isScalar(status) ? String(status.value) : '(none)' };
  }
  const text = file.lines.slice(1, fm.close).join('\n');
  const entry = `{ at: ${now.toISOString()}, by: ${OPSBEAT_AUTHOR}, from: ${from}, to: ${to} }`;
  const history = doc.get('history', true);
  const historyEdit = appendHistory(text, history, entry, fm.lineCounter);
  if (!historyEdit) {
    const offset = (history as Node | undefined)?.range?.[0];
    const line = offset === undefined ? 2 : fm.lineCounter.linePos(offset).line + 1;
    return { kind: 'unreadable', problem: { line, text: file.lines[line - 1], message: '`history` must be a list: opsbeat appends its status moves to it.' } };
  }
  const edits: Edit[] = [{ at: status.range[0], end: status.range[1], text: to }, historyEdit];
  const front = edits.sort((a, b) => b.at - a.at).reduce((t, e) => t.slice(0, e.at) + e.text + t.slice(e.end), text);
  const lines = [...file.lines];
  lines.splice(1, fm.close - 1, ...front.split('\n'));
  return { kind: 'moved', text: render(lines) };
}

interface Edit {
  at: number;
  end: number;
  text: string;
}

/** Where and how to add one history entry: a new block list, one more `- ` line, or one more flow item. */
function appendHistory(text: string, history: unknown, entry: string, lineCounter: LineCounter): Edit | undefined {
  if (history === undefined) {
    const at = text.length;
    return { at, end: at, text: `${text.endsWith('\n') || text === '' ? '' : '\n'}history:\n  - ${entry}` };
  }
  if (isScalar(history) && history.value === null && history.range) {
    return { at: history.range[0], end: history.range[1], text: `\n  - ${entry}` };
  }
  if (!isSeq(history) || !history.range) return undefined;
  if (history.flow) {
    const items = history.items.flatMap((item) => {
      const range = (item as Node | null)?.range;
      return range ? [text.slice(range[0], range[1])] : [];
    });
    return { at: history.range[0], end: history.range[1], text: `[${[...items, entry].join(', ')}]` };
  }
  const last = history.items[history.items.length - 1] as Node | undefined;
  const indent = ' '.repeat(lineCounter.linePos(history.range[0]).col - 1);
  const lineEnd = text.indexOf('\n', last?.range?.[1] ?? history.range[0]);
  const at = lineEnd < 0 ? text.length : lineEnd;
  return { at, end: at, text: `\n${indent}- ${entry}` };
}

function bodyLines(text: string): string[] {
  const lines = text.replace(/\r\n/g, '\n').split('\n').map((l) => l.trimEnd());
  let start = 0;
  while (start < lines.length && lines[start] === '') start++;
  return trimBlankEnd(lines.slice(start));
}

function sameText(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((line, i) => line === b[i]);
}

function nextId(file: TicketFile): string {
  const used = new Set(file.comments.map((s, i) => s.attrs.id ?? `c${i + 1}`));
  let n = file.comments.length + 1;
  while (used.has(`c${n}`)) n++;
  return `c${n}`;
}

function render(lines: readonly string[]): string {
  return `${lines.join('\n')}\n`;
}
