import { parseDays } from '../gate/deploy-windows.js';
import type { WrittenConfig } from './schema.js';

/** A problem found by a cross-field rule: the key path and a message that says the fix. */
export interface Problem {
  path: (string | number)[];
  message: string;
}

export interface RuleContext {
  /** A value as the file itself holds it: strings with their ${VAR} references left out. */
  asWritten(path: (string | number)[]): unknown;
}

type Rule = (config: WrittenConfig, context: RuleContext) => Problem[];

const boardBlockPresent: Rule = (c) =>
  c.board.kind === 'github' && !c.board.github
    ? [{ path: ['board', 'github'], message: 'required when board.kind is "github": add owner, repo and status' }]
    : [];

/** Two statuses with the same label or option name would make every move ambiguous. */
const githubStatusesDistinct: Rule = (c) => {
  const status = c.board.github?.status;
  if (!status) return [];
  const seen = new Map<string, string>();
  const problems: Problem[] = [];
  for (const key of ['rfp', 'closed', 'failed'] as const) {
    const name = status[key].trim().toLowerCase();
    const earlier = seen.get(name);
    const what = status.mode === 'labels' ? 'label' : 'option';
    if (earlier) {
      problems.push({ path: ['board', 'github', 'status', key], message: `is the same as status.${earlier} ("${status[key]}"); each status needs its own ${what}` });
    } else {
      seen.set(name, key);
    }
  }
  return problems;
};

const chatBlockPresent: Rule = (c) =>
  c.chat.kind === 'slack' && !c.chat.slack
    ? [{ path: ['chat', 'slack'], message: 'required when chat.kind is "slack": add standupChannel (and apiUrl for a non-default server)' }]
    : [];

const monitoredAppsExist: Rule = (c) =>
  c.monitor.services.flatMap((name, i) =>
    c.apps[name] ? [] : [{ path: ['monitor', 'services', i], message: `names no app under "apps"; add apps.${name} or remove it` }],
  );

const reviewersListed: Rule = (c) =>
  (['cq', 'qa'] as const).flatMap((kind) =>
    c.reviewers[kind].length === 0
      ? [{ path: ['reviewers', kind], message: `is empty: no ${kind.toUpperCase()} record could ever count; list at least one reviewer` }]
      : [],
  );

const windowsValid: Rule = (c) =>
  c.windows.flatMap((w, i) => {
    const problems: Problem[] = [];
    if (!parseDays(w.days)) {
      problems.push({ path: ['windows', i, 'days'], message: `expected days such as "mon-fri" or "sat,sun", got "${w.days}"` });
    }
    if (w.from === w.to) problems.push({ path: ['windows', i, 'to'], message: 'equals "from": the window would be empty' });
    return problems;
  });

/** A password written in the file is the problem; one that comes from `${DATABASE_URL}` (or `${DB_PASSWORD}`) is the fix. */
const storeUrlFromEnvironment: Rule = (c, context) => {
  const url = c.store.url;
  if (!url || !/^postgres(ql)?:\/\//.test(url)) return [];
  try {
    new URL(url);
  } catch {
    return [{ path: ['store', 'url'], message: 'is not a valid postgres:// URL' }];
  }
  const written = context.asWritten(['store', 'url']);
  return typeof written === 'string' && LITERAL_PASSWORD.test(written)
    ? [{ path: ['store', 'url'], message: 'holds a password: secrets come only from the environment; write "${DATABASE_URL}"' }]
    : [];
};

/** `scheme://user:password@`, with a non-empty password. */
const LITERAL_PASSWORD = /^[a-z][a-z0-9+.-]*:\/\/[^/@:]*:[^/@]+@/i;

/** A Slack user or GitHub login names one person only, or a chat command could act as someone else. */
const peopleDistinct: Rule = (c) => {
  const problems: Problem[] = [];
  for (const field of ['slack', 'github'] as const) {
    const seen = new Map<string, string>();
    for (const [name, person] of Object.entries(c.people)) {
      const value = field === 'github' ? (person.github ?? name) : person.slack;
      if (value === undefined) continue;
      const first = seen.get(value.toLowerCase());
      if (first) problems.push({ path: ['people', name, field], message: `"${value}" is also people.${first}.${field}; each person needs their own` });
      else seen.set(value.toLowerCase(), name);
    }
  }
  return problems;
};

export const RULES: readonly Rule[] = [
  boardBlockPresent,
  githubStatusesDistinct,
  chatBlockPresent,
  monitoredAppsExist,
  reviewersListed,
  windowsValid,
  storeUrlFromEnvironment,
  peopleDistinct,
];

export function applyRules(config: WrittenConfig, context: RuleContext): Problem[] {
  return RULES.flatMap((rule) => rule(config, context));
}

/** Secrets that must be present in the environment for this configuration to run. */
export function requiredEnvironment(config: WrittenConfig): { name: string; why: string; required: boolean }[] {
  const needs: { name: string; why: string; required: boolean }[] = [
    { name: 'FLY_API_TOKEN', why: 'flyctl calls (platform.kind: fly)', required: true },
  ];
  if (config.board.kind === 'github') needs.push({ name: 'GITHUB_TOKEN', why: 'the GitHub board', required: true });
  if (config.chat.kind === 'slack') needs.push({ name: 'SLACK_BOT_TOKEN', why: 'Slack chat', required: true });
  if (config.chat.kind === 'slack' && config.chat.slack?.socketMode) {
    needs.push({ name: 'SLACK_APP_TOKEN', why: 'Socket Mode (chat.slack.socketMode); without it mentions are answered by polling', required: false });
  }
  for (const [name, app] of Object.entries(config.apps)) {
    if (app.database) {
      needs.push({ name: app.database.urlEnv, why: `migration checks of apps.${name}`, required: false });
    }
  }
  return needs;
}
