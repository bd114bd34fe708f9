import { readFile } from 'node:fs/promises';
import { LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { normalise, type Config } from './normalise.js';
import { applyRules, requiredEnvironment, type Problem } from './rules.js';
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
    const node = path.length === 0 ? doc.contents : doc.getIn(path, true);
    const range = (node as { range?: [number, number, number] } | undefined)?.range;
    return range ? `${source}:${lineCounter.linePos(range[0]).line}` : source;
  };
  if (doc.errors.length > 0) {
    return {
      ok: false,
      warnings: [],
      errors: doc.errors.map((e) => `${source}:${e.linePos?.[0]?.line ?? '?'}: not valid YAML: ${e.message.split('\n')[0]}`),
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
    return { ok: false, warnings: [], errors: parsed.error.issues.flatMap((i) => describeIssue(i, at)) };
  }
  const ruleProblems = applyRules(parsed.data);
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

function formatProblem(problem: Problem, at: (path: (string | number)[]) => string): string {
  return `${at(problem.path)}: ${problem.path.join('.')}: ${problem.message}`;
}

function describeIssue(
  issue: z.core.$ZodIssue,
  at: (path: (string | number)[]) => string,
): string[] {
  const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => {
      const guess = closest(key, KEY_VOCABULARY);
      const hint = guess ? `; did you mean "${guess}"?` : '; remove it';
      return formatProblem({ path: [...path, key], message: `unknown key${hint}` }, at);
    });
  }
  // Never echo what may be a credential: store.url, and anything named like a secret.
  const secretish = path[0] === 'store' || path.some((p) => typeof p === 'string' && looksLikeSecretName(p));
  const input = 'input' in issue ? issue.input : undefined;
  const got =
    input === undefined
      ? issue.code === 'invalid_type'
        ? ', but it is missing'
        : ''
      : secretish
        ? ''
        : `, got ${JSON.stringify(input)}`;
  const message =
    issue.code === 'invalid_key'
      ? (issue.issues[0]?.message ?? 'invalid name')
      : issue.message.replace(/^Invalid input: /, '').replace(/^Invalid option: /, '');
  return [formatProblem({ path, message: `${message}${got}` }, at)];
}

/** Every key name the schema uses, to suggest the intended one for a typo. */
const KEY_VOCABULARY = [
  'schedule', 'timezone', 'store', 'url', 'dataDir', 'board', 'kind', 'github', 'baseUrl', 'owner', 'repo',
  'status', 'mode', 'rfp', 'closed', 'failed', 'project', 'field', 'files', 'dir', 'teams', 'reviewers', 'cq',
  'qa', 'operators', 'chat', 'slack', 'apiUrl', 'standupChannel', 'incidentChannel', 'opsGroup', 'console',
  'transcript', 'color', 'platform', 'fly', 'bin', 'org', 'metricsUrl', 'configDir', 'timeouts', 'read', 'logs',
  'deploy', 'apps', 'image', 'strategy', 'waitTimeout', 'processGroup', 'health', 'maxMs', 'smoke', 'path',
  'secrets', 'database', 'urlEnv', 'logScan', 'lines', 'monitor', 'services', 'windows', 'days', 'from', 'to',
  'tz', 'http', 'port', 'host', 'deploys', 'concurrency', 'observeDependencies', 'observeInterval', 'questions',
  'verifyAttempts', 'verifyRetryDelay', 'remindAfter', 'report', 'postWhenIdle', 'log', 'level',
];

function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of candidates) {
    const d = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length]!;
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
