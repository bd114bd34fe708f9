import { parseDays } from '../gate/deploy-windows.js';
import type { WrittenConfig } from './schema.js';

/** A problem found by a cross-field rule: the key path and a message that says the fix. */
export interface Problem {
  path: (string | number)[];
  message: string;
}

type Rule = (config: WrittenConfig) => Problem[];

const boardBlockPresent: Rule = (c) =>
  c.board.kind === 'github' && !c.board.github
    ? [{ path: ['board', 'github'], message: 'required when board.kind is "github": add owner, repo and status' }]
    : [];

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

const storeUrlFromEnvironment: Rule = (c) => {
  const url = c.store.url;
  if (!url || !/^postgres(ql)?:\/\//.test(url)) return [];
  try {
    return new URL(url).password
      ? [{ path: ['store', 'url'], message: 'holds a password: secrets come only from the environment; write "${DATABASE_URL}"' }]
      : [];
  } catch {
    return [{ path: ['store', 'url'], message: 'is not a valid postgres:// URL' }];
  }
};

export const RULES: readonly Rule[] = [
  boardBlockPresent,
  chatBlockPresent,
  monitoredAppsExist,
  reviewersListed,
  windowsValid,
  storeUrlFromEnvironment,
];

export function applyRules(config: WrittenConfig): Problem[] {
  return RULES.flatMap((rule) => rule(config));
}

/** Secrets that must be present in the environment for this configuration to run. */
export function requiredEnvironment(config: WrittenConfig): { name: string; why: string; required: boolean }[] {
  const needs: { name: string; why: string; required: boolean }[] = [
    { name: 'FLY_API_TOKEN', why: 'flyctl calls (platform.kind: fly)', required: true },
  ];
  if (config.board.kind === 'github') needs.push({ name: 'GITHUB_TOKEN', why: 'the GitHub board', required: true });
  if (config.chat.kind === 'slack') needs.push({ name: 'SLACK_BOT_TOKEN', why: 'Slack chat', required: true });
  for (const [name, app] of Object.entries(config.apps)) {
    if (app.database) {
      needs.push({ name: app.database.urlEnv, why: `migration checks of apps.${name}`, required: false });
    }
  }
  return needs;
}
