import { readFile } from 'node:fs/promises';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { normalise, type Config } from './normalise.js';
import { applyRules, requiredEnvironment, type Problem } from './rules.js';
import { knownKeysAt } from './known-keys.js';
import { WrittenConfig } from './schema.js';
import { looksLikeSecretName } from '../logging/redactor.js';

export type ConfigResult =
  | { ok: true; config: Config; written: WrittenConfig; warnings: string[] }
  | { ok: false; errors: string[]; warnings: string[] };

export const DEFAULT_CONFIG_PATH = 'config/opsbeat.yaml';

export async function loadConfig(file: string, env: NodeJS.ProcessEnv, cwd: string): Promise<ConfigResult> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return {
      ok: false,
      warnings: [],
      errors: [
        code === 'ENOENT'
          ? `${file}: not found; copy config/opsbeat.example.yaml to ${file} or pass --config <file>`
          : `${file}: cannot be read (${code ?? 'unknown error'})`,
      ],
    };
  }
  return parseConfigText(text, file, env, cwd);
}

/**
 * Parse → interpolate ${ENV} → validate with zod → cross-field rules → normalise.
 * Every problem is one line: `<file>:<line>: <key.path>: <what is wrong and how to fix it>`.
 */
export function parseConfigText(text: string, source: string, env: NodeJS.ProcessEnv, cwd: string): ConfigResult {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const at = (path: (string | number)[]): string => {
    const offset = offsetOf(doc, path);
    return offset === undefined ? source : `${source}:${lineCounter.linePos(offset).line}`;
  };
  if (doc.errors.length > 0) {
    return {
      ok: false,
      warnings: [],
      // `linePos` is only filled in with prettyErrors; the offset is always there.
      errors: doc.errors.map((e) => `${source}:${lineCounter.linePos(e.pos[0]).line}: not valid YAML: ${e.message.split('\n')[0]}`),
    };
  }
  const raw: unknown = doc.toJS() ?? {};
  const interpolationErrors: string[] = [];
  const data = interpolate(raw, env, [], (path, name) =>
    interpolationErrors.push(`${at(path)}: ${path.join('.')}: environment variable ${name} is not set; export it or remove the reference`),
  );
  if (interpolationErrors.length > 0) return { ok: false, errors: interpolationErrors, warnings: [] };

  const parsed = WrittenConfig.safeParse(data, { reportInput: true });
  if (!parsed.success) {
    // A misspelt key also leaves the key it stands for missing: the "did you mean" line says both.
    const suggested = new Set(parsed.error.issues.flatMap((i) => suggestionsFor(i).map((p) => p.join('.'))));
    const issues = parsed.error.issues.filter(
      (i) => !(i.code === 'invalid_type' && i.input === undefined && suggested.has(pathOf(i).join('.'))),
    );
    // Never echo what may be a credential: store.url, anything named like a secret, anything read from the environment.
    const mayEcho = (path: (string | number)[]): boolean =>
      path[0] !== 'store' &&
      !path.some((p) => typeof p === 'string' && looksLikeSecretName(p)) &&
      !referencesEnvironment(valueAt(raw, path));
    return { ok: false, warnings: [], errors: issues.flatMap((i) => describeIssue(i, at, mayEcho)) };
  }
  const ruleProblems = applyRules(parsed.data, { asWritten: (path) => withoutReferences(valueAt(raw, path)) });
  if (ruleProblems.length > 0) {
    return { ok: false, warnings: [], errors: ruleProblems.map((p) => formatProblem(p, at)) };
  }
  return {
    ok: true,
    config: normalise(parsed.data, source, cwd),
    written: parsed.data,
    warnings: [],
  };
}

/** Problems with the environment the configuration needs (tokens, database URLs). Values are never printed. */
export function checkEnvironment(written: WrittenConfig, env: NodeJS.ProcessEnv): { errors: string[]; warnings: string[] } {
  const errors: string[] = [];
  const warnings: string[] = [];
  for (const need of requiredEnvironment(written)) {
    if (env[need.name]) continue;
    const line = `environment: ${need.name} is not set; it is needed for ${need.why}`;
    (need.required ? errors : warnings).push(line);
  }
  return { errors, warnings };
}

/**
 * Where a key path is written: the line of its key (or list item). A path the file does not
 * have (a missing key) points at its nearest ancestor that is written.
 */
function offsetOf(doc: Document, path: readonly (string | number)[]): number | undefined {
  let node: unknown = doc.contents;
  let offset = (node as { range?: [number, number, number] } | null)?.range?.[0];
  for (const segment of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => String(isScalar(p.key) ? p.key.value : p.key) === String(segment));
      if (!pair) break;
      offset = (pair.key as { range?: [number, number, number] } | null)?.range?.[0] ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number' && node.items[segment] !== undefined) {
      node = node.items[segment];
      offset = (node as { range?: [number, number, number] } | null)?.range?.[0] ?? offset;
    } else {
      break;
    }
  }
  return offset;
}

function valueAt(value: unknown, path: readonly (string | number)[]): unknown {
  let here = value;
  for (const segment of path) {
    if (here === null || typeof here !== 'object') return undefined;
    here = (here as Record<string, unknown>)[segment];
  }
  return here;
}

function referencesEnvironment(value: unknown): boolean {
  return typeof value === 'string' && /\$\{[A-Z_][A-Z0-9_]*\}/.test(value);
}

/** A written string with every ${VAR} reference left out: what the file itself holds. */
function withoutReferences(value: unknown): unknown {
  return typeof value === 'string' ? value.replace(ENV_REF, '') : value;
}

function formatProblem(problem: Problem, at: (path: (string | number)[]) => string): string {
  return `${at(problem.path)}: ${problem.path.join('.')}: ${problem.message}`;
}

function pathOf(issue: z.core.$ZodIssue): (string | number)[] {
  return issue.path.filter((p): p is string | number => typeof p !== 'symbol');
}

/** The paths of the keys an unknown-key issue's keys are probably misspellings of. */
function suggestionsFor(issue: z.core.$ZodIssue): (string | number)[][] {
  if (issue.code !== 'unrecognized_keys') return [];
  const path = pathOf(issue);
  return issue.keys.flatMap((key) => {
    const guess = closest(key, knownKeysAt(WrittenConfig, path));
    return guess ? [[...path, guess]] : [];
  });
}

function describeIssue(
  issue: z.core.$ZodIssue,
  at: (path: (string | number)[]) => string,
  mayEcho: (path: (string | number)[]) => boolean,
): string[] {
  const path = pathOf(issue);
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => {
      const guess = closest(key, knownKeysAt(WrittenConfig, path));
      const hint = guess ? `; did you mean "${guess}"?` : '; remove it';
      return formatProblem({ path: [...path, key], message: `unknown key${hint}` }, at);
    });
  }
  const input = 'input' in issue ? issue.input : undefined;
  if (issue.code === 'invalid_type' && input === undefined) {
    return [formatProblem({ path, message: `is missing; add it (expected ${issue.expected})` }, at)];
  }
  const got = input === undefined || !mayEcho(path) ? '' : `, got ${JSON.stringify(input)}`;
  const message =
    issue.code === 'invalid_key'
      ? (issue.issues[0]?.message ?? 'invalid name')
      : issue.message.replace(/^Invalid input: /, '').replace(/^Invalid option: /, '');
  return [formatProblem({ path, message: `${message}${got}` }, at)];
}

/** The nearest known key, when it is near enough to be a typo (one edit for short words, two otherwise). */
function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = word.length <= 4 ? 2 : 3;
  for (const candidate of candidates) {
    const d = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

/** Edit distance counting a swap of two neighbouring letters as one edit (`prot` → `port`). */
function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

const ENV_REF = /\$\{([A-Z_][A-Z0-9_]*)\}/g;

/** Replace ${NAME} with the environment's value. A value that is only a reference to an unset variable disappears. */
function interpolate(
  value: unknown,
  env: NodeJS.ProcessEnv,
  path: (string | number)[],
  missing: (path: (string | number)[], name: string) => void,
): unknown {
  if (typeof value === 'string') {
    const whole = /^\$\{([A-Z_][A-Z0-9_]*)\}$/.exec(value);
    if (whole) return env[whole[1]!] || undefined;
    return value.replace(ENV_REF, (_, name: string) => {
      const v = env[name];
      if (v === undefined) missing(path, name);
      return v ?? '';
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => interpolate(v, env, [...path, i], missing));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const next = interpolate(v, env, [...path, k], missing);
      if (next !== undefined) out[k] = next;
    }
    return out;
  }
  return value;
}
