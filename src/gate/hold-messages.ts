import type { DestructiveKind } from './migration-types.js';
import type { SecretKind } from './find-secrets.js';
import type { ReviewKind, Verdict } from './types.js';

/**
 * Every message the gate writes, one function per reason. Hold messages are Markdown for a ticket
 * comment (what is wrong, the quoted line, how to fix it); questions are one paragraph for
 * #standup. They never contain a secret value: callers pass kinds and line numbers, not values.
 */

/** A problem at a line, quoted as it appears (omit `quote` when there is nothing useful to show). */
export interface QuotedProblem {
  line: number;
  quote?: string;
  problem: string;
}

/** Where a secret was seen: the title, the description, or the comment it is in. */
export interface SecretMention {
  line: number;
  /** `known_secret`: the value of one of opsbeat's own secrets (from its environment). */
  kind: SecretKind | 'env_value' | 'known_secret';
  where: { comment: { author: string; at: Date } } | 'description' | 'title';
  /** For `env_value`: the variable name, which is not secret. */
  name?: string;
}

const AGAIN = 'opsbeat reads it again on its next heartbeat.';

export function notesMissingMessage(): string {
  return [
    'opsbeat is holding this ticket: the description has no deploy notes.',
    'Add a fenced block with the info string `deploy` to the description, for example:',
    codeBlock('```deploy\napp: hotdash-staging\nref: 3f9c2e1\n```'),
    AGAIN,
  ].join('\n\n');
}

export function notesInvalidMessage(problems: readonly QuotedProblem[]): string {
  return [
    'opsbeat is holding this ticket: its deploy notes cannot be used.',
    ...problems.map((p) => quotedProblem(`Line ${p.line} of the description`, p)),
    `Fix the \`deploy\` block in the description; ${AGAIN}`,
  ].join('\n\n');
}

export function notesUnclosedProblem(): string {
  return 'The `deploy` block that starts here is never closed: add a line with ``` after its last line.';
}

export function notesSeveralProblem(lines: readonly number[]): string {
  return `The description has ${lines.length} \`deploy\` blocks (lines ${listOf(lines.map(String), 'and')}): keep one.`;
}

export function notesEmptyProblem(): string {
  return 'The `deploy` block is empty: add at least `app:` and `ref:`, e.g. `app: hotdash-staging` and `ref: 3f9c2e1` on two lines.';
}

export function notesNotAMapProblem(): string {
  return 'The `deploy` block must hold `key: value` lines, e.g. `app: hotdash-staging` and `ref: 3f9c2e1` on two lines.';
}

export function notesYamlProblem(parserMessage: string): string {
  return `This is not valid YAML (${parserMessage}). Check the indentation and the quotes; a value containing \`: \` or \` #\` needs quotes.`;
}

export function notesUnknownKeyProblem(key: string, known: readonly string[], where: 'notes' | 'smoke', suggestion: string | undefined): string {
  const what = where === 'notes' ? 'a deploy-notes key' : 'a smoke check key';
  const hint = suggestion ? `did you mean \`${suggestion}\`?` : `the keys are ${listOf(known.map((k) => `\`${k}\``), 'and')}.`;
  return `\`${key}\` is not ${what}; ${hint}`;
}

export function secretInTicketMessage(mentions: readonly SecretMention[]): string {
  return [
    'opsbeat is holding this ticket: it contains what looks like a secret.',
    mentions.map((m) => `- line ${m.line} of ${describeWhere(m.where)}: ${describeSecret(m)}`).join('\n'),
    'opsbeat does not deploy a ticket that holds a secret, and does not repeat the value anywhere. ' +
      'Remove it from the ticket, then rotate it: everyone who can read this board may have seen it. ' +
      'Secrets belong on the app (`fly secrets set`); the deploy notes list only their names under `env:`.',
  ].join('\n\n');
}

export function appUnknownMessage(input: { app: string; line: number; quote: string | undefined; configured: readonly string[]; suggestion: string | undefined }): string {
  const configured =
    input.configured.length === 0
      ? 'No apps are configured yet.'
      : `The configured apps are ${listOf(input.configured.map((a) => `\`${a}\``), 'and')}.`;
  const hint = input.suggestion ? ` Did you mean \`${input.suggestion}\`?` : '';
  return [
    `opsbeat is holding this ticket: app \`${input.app}\` is not configured.`,
    quotedProblem(`Line ${input.line} of the description`, { line: input.line, quote: input.quote, problem: `${configured}${hint}` }),
    'Fix `app:` in the `deploy` block, or ask an operator to add the app to the opsbeat configuration.',
  ].join('\n\n');
}

export function migrationDestructiveMessage(statements: readonly { line: number; text: string; kind: DestructiveKind; why: string }[]): string {
  return [
    'opsbeat is holding this ticket: its migrations are not additive-only.',
    ...statements.map((s) => `Line ${s.line} of \`migrations\` (${DESTRUCTIVE_LABELS[s.kind]}):\n\n${codeBlock(s.text, 'sql')}\n\n${s.why}`),
    NEVER_APPLIES +
      ' Apply an additive migration yourself first and list only that SQL under `migrations:`. ' +
      'Split destructive changes (drops, renames, type changes, data changes) into a later change that a person runs once no release needs the old schema.',
  ].join('\n\n');
}

export function migrationUnparseableMessage(input: { error: string; line: number; quote: string | undefined }): string {
  return [
    'opsbeat is holding this ticket: the SQL under `migrations:` does not parse.',
    quotedProblem(`Line ${input.line} of \`migrations\``, { line: input.line, quote: input.quote, problem: `PostgreSQL says: ${input.error}.` }),
    `Fix the SQL in the \`deploy\` block; ${AGAIN} ${NEVER_APPLIES}`,
  ].join('\n\n');
}

/** The board could not read part of the ticket (file board: front matter or a comment header). */
export function ticketUnreadableMessage(problems: readonly QuotedProblem[]): string {
  return [
    'opsbeat is holding this ticket: part of the ticket file cannot be read.',
    ...problems.map((p) => quotedProblem(`Line ${p.line} of the ticket file`, p)),
    `Fix the file; ${AGAIN}`,
  ].join('\n\n');
}

const NEVER_APPLIES = 'opsbeat never applies migrations: it only checks, read-only, that additive ones were applied before it deploys.';

const DESTRUCTIVE_LABELS: Record<DestructiveKind, string> = {
  drop: 'a drop',
  truncate: 'a truncate',
  rename: 'a rename',
  type_change: 'a column type change',
  drop_column: 'a dropped column',
  drop_constraint: 'a dropped constraint or default',
  data_change: 'a data change',
  not_recognised: 'not a known additive statement',
};

/** Why a statement holds the ticket (stored in MigrationAnalysis.destructive[].why). */
export function destructiveWhy(kind: DestructiveKind, detail: string): string {
  switch (kind) {
    case 'drop':
      return `It drops ${detail}, which the release running now, and the rollback target, may still use.`;
    case 'truncate':
      return `It deletes every row of ${detail}.`;
    case 'rename':
      return `It renames ${detail}: the release running now, and the rollback target, still use the old name.`;
    case 'type_change':
      return `It changes the type of ${detail}: the release running now, and the rollback target, expect the old type.`;
    case 'drop_column':
      return `It drops ${detail}, which the release running now, and the rollback target, may still read or write.`;
    case 'drop_constraint':
      return `It drops ${detail}: the release running now, and the rollback target, may rely on it.`;
    case 'data_change':
      return `It changes data (${detail}): data changes are run by a person, not checked as migrations.`;
    case 'not_recognised':
      return `opsbeat only accepts statements it knows to be additive, and ${detail} is not one of them.`;
  }
}

export function notNullWithoutDefaultWhy(column: string): string {
  return `It adds ${column} as NOT NULL without a default: the release running now, and the rollback target, cannot insert rows. Add a default, or add the column nullable.`;
}

// ---- questions for #standup ----

export interface ReviewTicket {
  id: string;
  title: string;
}

/** One paragraph: which ticket, what is missing or unclear for each review, who can answer. */
export function reviewQuestion(ticket: ReviewTicket, clauses: readonly string[]): string {
  return `${ticket.id} “${ticket.title}” is ready for production, but opsbeat will not deploy it: ${clauses.join('; and ')}. It deploys once both CQ and QA pass.`;
}

export function reviewMissingClause(kind: ReviewKind, who: readonly string[]): string {
  return `there is no ${label(kind)} record yet; ${reviewers(who)} can add a comment whose first line is ${passOrFail(kind)}`;
}

export function reviewFailedClause(kind: ReviewKind, verdict: Verdict, who: readonly string[]): string {
  return `the latest ${label(kind)} record, ${record(verdict)}, is a fail; ${reviewers(who)} can record \`${label(kind)}: pass\` once it is fixed`;
}

/** Why a record is stale: the ref changed after it, or it names another ref. */
export type Staleness = { refChangedAt: Date } | { namedRef: string };

export function reviewStaleClause(kind: ReviewKind, verdict: Verdict, currentRef: string, staleness: Staleness, who: readonly string[]): string {
  const why =
    'namedRef' in staleness
      ? `is for \`${staleness.namedRef}\`, not the current ref \`${currentRef}\``
      : `is older than the current ref \`${currentRef}\` (first seen ${when(staleness.refChangedAt)})`;
  return `the latest ${label(kind)} record, ${record(verdict)}, ${why}; ${reviewers(who)} can check \`${currentRef}\` and record the result again`;
}

export function reviewConflictingClause(kind: ReviewKind, verdict: Verdict, who: readonly string[]): string {
  const what = verdict.selfContradictory
    ? `the latest ${label(kind)} record, ${record(verdict)}, says both pass and fail`
    : `the latest ${label(kind)} record, ${record(verdict)}, says neither pass nor fail`;
  return `${what}; ${reviewers(who)} can add a comment whose first line is ${passOrFail(kind)}`;
}

export function reviewUnauthorisedClause(kind: ReviewKind, authors: readonly string[], who: readonly string[]): string {
  const are = authors.length === 1 ? 'who is not a' : 'who are not';
  const role = authors.length === 1 ? `${label(kind)} reviewer` : `${label(kind)} reviewers`;
  return (
    `the only ${label(kind)} records are by ${listOf(authors, 'and')}, ${are} ${role}; ` +
    `${reviewers(who)} can add a record, or an operator can add them to reviewers.${kind} in the opsbeat configuration`
  );
}

// ---- helpers ----

function label(kind: ReviewKind): string {
  return kind.toUpperCase();
}

function passOrFail(kind: ReviewKind): string {
  return `\`${label(kind)}: pass\` or \`${label(kind)}: failed — <why>\``;
}

function record(verdict: Verdict): string {
  return `\`${verdict.line.replaceAll('`', "'")}\` by ${verdict.author} at ${when(verdict.at)}`;
}

function reviewers(who: readonly string[]): string {
  return who.length === 0 ? 'nobody (the reviewer list is empty)' : listOf(who, 'or');
}

function describeWhere(where: SecretMention['where']): string {
  if (where === 'description' || where === 'title') return `the ${where}`;
  return `the comment by ${where.comment.author} at ${when(where.comment.at)}`;
}

const SECRET_NAMES: Record<SecretKind, string> = {
  github_token: 'a GitHub token',
  slack_token: 'a Slack token',
  fly_token: 'a Fly.io token',
  aws_access_key: 'an AWS access key',
  private_key: 'a private key',
  stripe_key: 'a Stripe secret key',
  jwt: 'a JSON Web Token',
  url_password: 'a URL with a password',
  secret_assignment: 'a password, secret or token assigned a value',
};

function describeSecret(mention: SecretMention): string {
  if (mention.kind === 'known_secret') return 'the value of a secret opsbeat itself holds';
  if (mention.kind !== 'env_value') return SECRET_NAMES[mention.kind];
  return mention.name
    ? `a value for \`${mention.name}\` under \`env:\` (list the name only)`
    : 'a value under `env:` (list names only)';
}

/** `2026-11-25 09:10 UTC` */
export function when(at: Date): string {
  return `${at.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

export function listOf(items: readonly string[], conjunction: 'and' | 'or'): string {
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} ${conjunction} ${items[items.length - 1]}`;
}

function quotedProblem(where: string, problem: QuotedProblem): string {
  if (problem.quote === undefined || problem.quote.trim() === '') return `${where}: ${problem.problem}`;
  return `${where}:\n\n${codeBlock(problem.quote)}\n\n${problem.problem}`;
}

/** A fenced code block whose fence is longer than any backtick run inside. */
export function codeBlock(text: string, lang = ''): string {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return `${fence}${lang}\n${text}\n${fence}`;
}

/** The candidate closest to `word` (case-insensitive edit distance ≤ 2, else a prefix either way), for "did you mean". */
export function didYouMean(word: string, candidates: readonly string[]): string | undefined {
  const target = word.toLowerCase();
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const lower = candidate.toLowerCase();
    const edits = editDistance(target, lower);
    // A prefix ("smoketests" for "smoke") is a weaker hint than a near spelling.
    const distance = edits <= 2 ? edits : lower.startsWith(target) || target.startsWith(lower) ? 2.5 : Infinity;
    if (distance <= 2.5 && (!best || distance < best.distance)) best = { candidate, distance };
  }
  return best?.candidate;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
