import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, visit, type Document, type Node } from 'yaml';
import type { z } from 'zod';
import { findSecrets } from './find-secrets.js';
import {
  didYouMean,
  notesEmptyProblem,
  notesInvalidMessage,
  notesMissingMessage,
  notesNotAMapProblem,
  notesSeveralProblem,
  notesUnclosedProblem,
  notesUnknownKeyProblem,
  notesYamlProblem,
  secretInTicketMessage,
  type QuotedProblem,
  type SecretMention,
} from './hold-messages.js';
import { DEPLOY_BLOCK_KEYS, DeployBlock, SECRET_NAME, SMOKE_KEYS } from './notes-schema.js';
import type { NotesResult } from './types.js';

/** A fenced block found in the description: 1-based line of its opening fence, and its content. */
interface Block {
  fenceLine: number;
  content: string[];
  closed: boolean;
}

/** Read the ```deploy block of a ticket description. Pure: every problem is a result, never a throw. */
export function parseDeployNotes(body: string): NotesResult {
  const lines = body.split(/\r?\n/);
  const blocks = findDeployBlocks(lines);
  const first = blocks[0];
  if (!first) return { ok: false, reason: 'notes_missing', message: notesMissingMessage() };
  if (blocks.length > 1) {
    return invalid([{ line: first.fenceLine, problem: notesSeveralProblem(blocks.map((b) => b.fenceLine)) }]);
  }
  if (!first.closed) {
    return invalid([{ line: first.fenceLine, quote: lines[first.fenceLine - 1], problem: notesUnclosedProblem() }]);
  }
  const firstLine = first.fenceLine + 1;
  const text = first.content.join('\n');
  if (text.trim() === '') return invalid([{ line: first.fenceLine, problem: notesEmptyProblem() }]);

  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const lineOf = (offset: number): number => lineCounter.linePos(offset).line + firstLine - 1;
  const quote = (line: number): string | undefined => lines[line - 1];
  // Before anything is quoted back to the author: a line holding a secret must never be repeated.
  const secrets = secretsInBlock(doc, text, firstLine, lineOf);
  if (secrets.length > 0) return secretResult(secrets);

  if (doc.errors.length > 0) {
    return invalid(
      doc.errors.map((e) => {
        const line = culpritLine(lines, lineOf(e.pos[0]), firstLine, e.message);
        return { line, quote: quote(line), problem: notesYamlProblem(e.message.split('\n')[0] ?? e.code) };
      }),
    );
  }
  if (!isMap(doc.contents)) {
    const line = doc.contents?.range ? lineOf(doc.contents.range[0]) : firstLine;
    return invalid([{ line, quote: quote(line), problem: notesNotAMapProblem() }]);
  }

  keepSourceText(doc);
  let data: unknown;
  try {
    data = doc.toJS();
  } catch (err) {
    // e.g. an alias bomb: yaml refuses to expand it.
    const reason = err instanceof Error ? err.message.split('\n')[0] ?? 'unreadable' : 'unreadable';
    return invalid([{ line: first.fenceLine, problem: notesYamlProblem(reason) }]);
  }
  const parsed = DeployBlock.safeParse(data);
  if (!parsed.success) {
    const problems = parsed.error.issues.flatMap((issue) => describeIssue(issue, doc, first.fenceLine, lineOf, quote));
    return invalid(problems);
  }
  const notes = parsed.data;
  return {
    ok: true,
    notes: {
      app: notes.app,
      ref: notes.ref,
      env: notes.env,
      migrations: notes.migrations,
      flags: notes.flags,
      dependencies: notes.dependencies,
      smoke: notes.smoke,
      line: firstLine,
    },
  };
}

const FENCE = /^( {0,3})(`{3,}|~{3,})(.*)$/;

/** Top-level fenced blocks whose info string is `deploy`; fences inside other code blocks do not count. */
function findDeployBlocks(lines: readonly string[]): Block[] {
  const blocks: Block[] = [];
  let open: { char: string; length: number; indent: number; block: Block | undefined } | undefined;
  lines.forEach((line, index) => {
    if (open) {
      const close = new RegExp(`^ {0,3}${open.char === '`' ? '`' : '~'}{${open.length},}\\s*$`);
      if (close.test(line)) {
        if (open.block) open.block.closed = true;
        open = undefined;
      } else {
        open.block?.content.push(stripIndent(line, open.indent));
      }
      return;
    }
    const fence = FENCE.exec(line);
    if (!fence) return;
    const [, indent = '', marks = '', info = ''] = fence;
    if (marks[0] === '`' && info.includes('`')) return; // not a fence: an inline code span
    const isDeploy = info.trim().split(/\s+/)[0]?.toLowerCase() === 'deploy';
    const block = isDeploy ? { fenceLine: index + 1, content: [], closed: false } : undefined;
    if (block) blocks.push(block);
    open = { char: marks[0] ?? '`', length: marks.length, indent: indent.length, block };
  });
  return blocks;
}

function stripIndent(line: string, indent: number): string {
  let removed = 0;
  while (removed < indent && line[removed] === ' ') removed++;
  return line.slice(removed);
}

/** One entry per line, in line order: several problems on one line are quoted once. */
function invalid(problems: QuotedProblem[]): NotesResult {
  const byLine = new Map<number, QuotedProblem>();
  for (const p of [...problems].sort((a, b) => a.line - b.line)) {
    const seen = byLine.get(p.line);
    if (!seen) byLine.set(p.line, { ...p });
    else if (!seen.problem.includes(p.problem)) seen.problem = `${seen.problem} ${p.problem}`;
  }
  const merged = [...byLine.values()];
  return { ok: false, reason: 'notes_invalid', line: merged[0]?.line, message: notesInvalidMessage(merged) };
}

function secretResult(mentions: SecretMention[]): NotesResult {
  return { ok: false, reason: 'secret_in_ticket', line: mentions[0]?.line, message: secretInTicketMessage(mentions) };
}

/** Token-shaped strings and `env` values in the block, one mention per line (an env value wins over a token). */
function secretsInBlock(doc: Document, text: string, firstLine: number, lineOf: (offset: number) => number): SecretMention[] {
  const envValues: SecretMention[] =
    doc.errors.length === 0
      ? findEnvValues(doc).map(({ offset, kind, name }) => ({ line: lineOf(offset), kind, where: 'description', ...(name ? { name } : {}) }))
      : [];
  const tokens = findSecrets(text)
    .map((f): SecretMention => ({ line: f.line + firstLine - 1, kind: f.kind, where: 'description' }))
    .filter((f) => !envValues.some((v) => v.line === f.line));
  return [...envValues, ...tokens].sort((a, b) => a.line - b.line);
}

/** `env: [NAME=value]` or `env: { NAME: value }` carries secret values: find them without reading them out. */
/**
 * The parser reports an unclosed quote or flow collection where it gave up; the author's mistake is
 * on the line that opened it: the nearest line at or above that holds the opening character.
 */
function culpritLine(lines: readonly string[], line: number, firstLine: number, message: string): number {
  const opener = /closing "/.test(message) ? '"' : /closing '/.test(message) ? "'" : /^Flow sequence/.test(message) ? '[' : /^Flow map/.test(message) ? '{' : undefined;
  if (!opener) return line;
  for (let at = line; at >= firstLine; at--) if ((lines[at - 1] ?? '').includes(opener)) return at;
  return line;
}

function findEnvValues(doc: Document): { offset: number; kind: 'env_value'; name?: string }[] {
  const env = doc.get('env', true);
  const found: { offset: number; kind: 'env_value'; name?: string }[] = [];
  const nameOf = (text: string): string | undefined => (SECRET_NAME.test(text) ? text : undefined);
  const items: unknown[] = isSeq(env) ? env.items : isScalar(env) ? [env] : [];
  for (const item of items) {
    if (isScalar(item) && typeof item.value === 'string' && item.value.includes('=')) {
      const name = nameOf(item.value.slice(0, item.value.indexOf('=')).trim());
      found.push({ offset: item.range?.[0] ?? 0, kind: 'env_value', ...(name ? { name } : {}) });
    }
  }
  if (isMap(env)) {
    for (const pair of env.items) {
      const value = pair.value;
      if (isScalar(value) && (value.value === null || value.value === '')) continue;
      const key = isScalar(pair.key) ? String(pair.key.value) : '';
      const name = nameOf(key);
      const range = (pair.key as Node | null)?.range;
      found.push({ offset: range?.[0] ?? 0, kind: 'env_value', ...(name ? { name } : {}) });
    }
  }
  return found;
}

/** A ref `0123456` or a flag `1.10` would lose its text as a YAML number: keep what the author wrote. */
function keepSourceText(doc: Document): void {
  visit(doc, {
    Scalar(_key, node, path) {
      if (typeof node.value !== 'number' || node.source === undefined) return;
      const top = path[2]; // [Document, top-level map, top-level pair, ...]
      if (!isPair(top) || !isScalar(top.key)) return;
      if (top.key.value === 'ref' || top.key.value === 'flags') node.value = node.source;
    },
  });
}

function describeIssue(
  issue: z.core.$ZodIssue,
  doc: Document,
  fenceLine: number,
  lineOf: (offset: number) => number,
  quote: (line: number) => string | undefined,
): QuotedProblem[] {
  const path = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
  if (issue.code === 'unrecognized_keys') {
    const inSmoke = path[0] === 'smoke';
    const known = inSmoke ? SMOKE_KEYS : DEPLOY_BLOCK_KEYS;
    const parent = path.length === 0 ? doc.contents : doc.getIn(path, true);
    return issue.keys.map((key) => {
      const keyNode = isMap(parent) ? parent.items.find((p) => isScalar(p.key) && p.key.value === key)?.key : undefined;
      const offset = (keyNode as Node | undefined)?.range?.[0];
      const line = offset === undefined ? fenceLine : lineOf(offset);
      return { line, quote: quote(line), problem: notesUnknownKeyProblem(key, known, inSmoke ? 'smoke' : 'notes', didYouMean(key, known)) };
    });
  }
  // The nearest node that exists: a missing key points at its parent, a missing block key at the fence.
  for (let depth = path.length; depth > 0; depth--) {
    const node = doc.getIn(path.slice(0, depth), true) as Node | undefined;
    if (node?.range) {
      const line = lineOf(node.range[0]);
      return [{ line, quote: quote(line), problem: issue.message }];
    }
  }
  return [{ line: fenceLine, problem: issue.message }];
}
