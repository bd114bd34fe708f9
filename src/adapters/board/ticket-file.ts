import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { readCommentMarker, type Label, type Ticket, type TicketComment, type TicketProblem, type TicketStatus } from './types.js';

/**
 * A file-board ticket as text: YAML front matter between `---` lines, the description, then
 * comments, each introduced by a header line `<!-- comment id="c1" author="carol" at="…" -->`.
 * Parsing never throws: whatever cannot be read becomes a TicketProblem with its line, so the
 * gate can hold the ticket and say what to fix. See README.md beside this file for the format.
 */

export const OPSBEAT_AUTHOR = 'opsbeat';

export interface CommentSection {
  /** 0-based index of the header line. */
  header: number;
  /** 0-based index one past the section's last line. */
  end: number;
  attrs: Record<string, string>;
  /** The comment, when its header is usable. */
  comment: TicketComment | undefined;
}

export interface TicketFile {
  lines: string[];
  /** The front matter, when it is present and parses as a map; `close` is the 0-based index of its closing `---`. */
  frontMatter: { doc: Document; close: number; lineCounter: LineCounter } | undefined;
  /** 0-based index of the description's first line. */
  bodyStart: number;
  /** 0-based index of the first comment header (lines.length when there is none). */
  commentsStart: number;
  comments: CommentSection[];
  problems: TicketProblem[];
  /** Whether the front matter could be read at all (otherwise the status is unknown). */
  statusKnown: boolean;
}

export const COMMENT_HEADER = /^\s*<!--\s*comment\b(.*?)-->\s*$/i;
const ESCAPED_HEADER = /^\\(\s*<!--\s*comment\b.*-->\s*)$/i;
const ATTRIBUTE = /([A-Za-z][\w-]*)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))/g;
const FENCE = /^---\s*$/;

export function parseTicketFile(text: string): TicketFile {
  const lines = text.replace(/^\uFEFF/, '').replace(/\r\n/g, '\n').split('\n');
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  const problems: TicketProblem[] = [];
  const { frontMatter, close } = readFrontMatter(lines, problems);
  const bodyStart = close + 1;
  let commentsStart = lines.length;
  for (let i = bodyStart; i < lines.length; i++) {
    if (COMMENT_HEADER.test(lines[i] ?? '')) {
      commentsStart = i;
      break;
    }
  }
  const comments = readComments(lines, commentsStart, problems);
  return { lines, frontMatter, bodyStart, commentsStart, comments, problems, statusKnown: frontMatter !== undefined };
}

/** The Ticket the board returns: front matter fields, description, readable comments and every problem. */
export function ticketFrom(file: TicketFile, id: string, updatedAt: Date): Ticket {
  const problems = [...file.problems];
  const fields = file.frontMatter ? readFields(file.frontMatter, file.lines, problems) : undefined;
  const ticket: Ticket = {
    id,
    title: fields?.title ?? id,
    status: fields?.status ?? 'other',
    body: trimBlankEnd(file.lines.slice(file.bodyStart, file.commentsStart)).join('\n'),
    labels: fields?.labels ?? [],
    comments: file.comments.flatMap((s) => (s.comment ? [s.comment] : [])),
    updatedAt,
  };
  if (fields?.readyBy) ticket.readyBy = fields.readyBy;
  if (fields?.readyAt) ticket.readyAt = fields.readyAt;
  if (problems.length > 0) ticket.problems = problems.sort((a, b) => a.line - b.line);
  return ticket;
}

export function statusFromText(value: unknown): TicketStatus {
  const text = typeof value === 'string' ? value.trim().toLowerCase() : '';
  return text === 'rfp' || text === 'closed' || text === 'deploy-failed' ? text : 'other';
}

/** `2026-11-25T09:10:00Z`, `2026-11-25T10:10:00+01:00`, `2026-11-25 09:10` (UTC) or `2026-11-25` (midnight UTC). */
export function parseWhen(text: unknown): Date | undefined {
  if (text instanceof Date) return Number.isNaN(text.getTime()) ? undefined : text;
  if (typeof text !== 'string') return undefined;
  const m = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)\s*(Z|[+-]\d{2}:?\d{2})?)?$/i.exec(text.trim());
  if (!m) return undefined;
  const [, day, time = '00:00', zone = 'Z'] = m;
  const date = new Date(`${day}T${time.length === 5 ? `${time}:00` : time}${zone.toUpperCase()}`);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** The front matter, and the index of its closing line (-1 when the file has none: the description starts at the top). */
function readFrontMatter(lines: readonly string[], problems: TicketProblem[]): { frontMatter: TicketFile['frontMatter']; close: number } {
  if (!FENCE.test(lines[0] ?? '')) {
    problems.push({ line: 1, text: lines[0], message: 'The file must start with front matter: a line `---`, then `title:` and `status:`, then another `---`.' });
    return { frontMatter: undefined, close: -1 };
  }
  const close = lines.findIndex((line, i) => i > 0 && (FENCE.test(line) || /^\.\.\.\s*$/.test(line)));
  if (close < 0) {
    problems.push({ line: 1, text: lines[0], message: 'The front matter that starts here is never closed: add a line `---` after its last field.' });
    return { frontMatter: undefined, close: -1 };
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(lines.slice(1, close).join('\n'), { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    for (const e of doc.errors) {
      const line = lineCounter.linePos(e.pos[0]).line + 1;
      problems.push({ line, text: lines[line - 1], message: `The front matter is not valid YAML (${e.message.split('\n')[0] ?? e.code}).` });
    }
    return { frontMatter: undefined, close };
  }
  if (!isMap(doc.contents)) {
    problems.push({ line: 2, text: lines[1], message: 'The front matter must hold `key: value` lines such as `title: …` and `status: rfp`.' });
    return { frontMatter: undefined, close };
  }
  return { frontMatter: { doc, close, lineCounter }, close };
}

interface Fields {
  title: string | undefined;
  status: TicketStatus;
  labels: Label[];
  readyBy: string | undefined;
  readyAt: Date | undefined;
}

function readFields(frontMatter: NonNullable<TicketFile['frontMatter']>, lines: readonly string[], problems: TicketProblem[]): Fields {
  const { doc, lineCounter } = frontMatter;
  // The front matter text starts on file line 2.
  const lineOf = (node: unknown): number => {
    const range = (node as Node | undefined)?.range;
    return range ? lineCounter.linePos(range[0]).line + 1 : 2;
  };
  const problem = (node: unknown, message: string): void => {
    const line = lineOf(node);
    problems.push({ line, text: lines[line - 1], message });
  };

  const title = doc.get('title');
  const labels: Label[] = [];
  const labelsNode = doc.get('labels', true);
  if (labelsNode !== undefined && !isSeq(labelsNode)) problem(labelsNode, '`labels` must be a list, e.g. `labels: [emergency]`.');
  for (const item of isSeq(labelsNode) ? labelsNode.items : []) {
    const label = readLabel(item);
    if (label) labels.push(label);
    else problem(item, 'A label is a name, or `{ name: emergency, by: dave, at: 2026-11-25T09:00:00Z }`.');
  }
  const ready = doc.get('ready', true);
  let readyBy: string | undefined;
  let readyAt: Date | undefined;
  if (ready !== undefined) {
    const by = isMap(ready) ? ready.get('by') : undefined;
    readyAt = isMap(ready) ? parseWhen(ready.get('at')) : undefined;
    if (typeof by !== 'string' || !readyAt) problem(ready, '`ready` must be `{ by: <user>, at: <time> }`, e.g. `ready: { by: alice, at: 2026-11-25T08:00:00Z }`.');
    else readyBy = by;
  }
  return {
    title: title === undefined || title === null ? undefined : String(title),
    status: statusFromText(doc.get('status')),
    labels,
    readyBy,
    readyAt: readyBy ? readyAt : undefined,
  };
}

function readLabel(item: unknown): Label | undefined {
  if (isScalar(item) && (typeof item.value === 'string' || typeof item.value === 'number')) return { name: String(item.value) };
  if (!isMap(item)) return undefined;
  const name = item.get('name');
  const by = item.get('by');
  const at = item.get('at');
  if (typeof name !== 'string' || (by !== undefined && typeof by !== 'string')) return undefined;
  const label: Label = { name };
  if (typeof by === 'string') label.addedBy = by;
  if (at !== undefined) {
    const when = parseWhen(at);
    if (!when) return undefined;
    label.addedAt = when;
  }
  return label;
}

function readComments(lines: readonly string[], start: number, problems: TicketProblem[]): CommentSection[] {
  const sections: CommentSection[] = [];
  for (let i = start; i < lines.length; i++) {
    const header = COMMENT_HEADER.exec(lines[i] ?? '');
    if (!header) continue;
    const last = sections[sections.length - 1];
    if (last) last.end = i;
    sections.push({ header: i, end: lines.length, attrs: readAttributes(header[1] ?? ''), comment: undefined });
  }
  const ids = new Set<string>();
  sections.forEach((section, index) => {
    const line = section.header + 1;
    const text = lines[section.header];
    const id = section.attrs.id ?? `c${index + 1}`;
    const author = section.attrs.author?.trim();
    const at = parseWhen(section.attrs.at);
    const missing = [!author && 'an `author`', !at && 'a valid `at` time'].filter(Boolean);
    if (missing.length > 0) {
      problems.push({
        line,
        text,
        message: `This comment header needs ${missing.join(' and ')}, e.g. \`<!-- comment author="carol" at="2026-11-25T09:10:00Z" -->\`.`,
      });
      return;
    }
    if (ids.has(id)) {
      problems.push({ line, text, message: `Another comment already has id \`${id}\`: give each comment its own id.` });
      return;
    }
    ids.add(id);
    const body = trimBlankEnd(trimBlankStart(lines.slice(section.header + 1, section.end).map(unescapeLine))).join('\n');
    const comment: TicketComment = { id, author: author as string, createdAt: at as Date, body };
    const key = author?.toLowerCase() === OPSBEAT_AUTHOR ? readCommentMarker(body) : undefined;
    if (key !== undefined) comment.opsbeatKey = key;
    section.comment = comment;
  });
  return sections;
}

function readAttributes(text: string): Record<string, string> {
  const attrs: Record<string, string> = {};
  for (const m of text.matchAll(ATTRIBUTE)) attrs[(m[1] ?? '').toLowerCase()] = m[2] ?? m[3] ?? m[4] ?? '';
  return attrs;
}

/** A body line that would read as a comment header is written with a leading backslash. */
export function escapeLine(line: string): string {
  return COMMENT_HEADER.test(line) ? `\\${line}` : line;
}

function unescapeLine(line: string): string {
  return ESCAPED_HEADER.exec(line)?.[1] ?? line;
}

function trimBlankStart(lines: string[]): string[] {
  let i = 0;
  while (i < lines.length && (lines[i] ?? '').trim() === '') i++;
  return lines.slice(i);
}

export function trimBlankEnd(lines: string[]): string[] {
  let end = lines.length;
  while (end > 0 && (lines[end - 1] ?? '').trim() === '') end--;
  return lines.slice(0, end);
}
