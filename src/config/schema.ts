import { z } from 'zod';
import { validate as validateCron } from 'node-cron';
import { DURATION_PATTERN } from './duration.js';

/**
 * The written configuration file (config/opsbeat.yaml). Key names are fixed by the product design;
 * every key carries a description, which `opsbeat config check` uses to explain a problem.
 * Only fields opsbeat reads are specified; unknown keys are reported (they are usually typos).
 */

const Duration = z
  .string()
  .regex(DURATION_PATTERN, 'expected a duration such as "90s", "15m" or "2h"')
  .describe('a duration: a number followed by ms, s, m, h or d, e.g. "15m"');

export const TimeZone = z
  .string()
  .refine(isTimeZone, 'expected an IANA time zone such as "UTC" or "Europe/Berlin"')
  .describe('an IANA time zone name, e.g. "Europe/Berlin"');

const EnvName = z
  .string()
  .regex(/^[A-Z_][A-Z0-9_]*$/, 'expected an environment variable name such as "HOTDASH_DB_URL"');

const HttpUrl = z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' });

export const AppName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'expected a Fly app name: lowercase letters, digits and dashes');

export const Smoke = z
  .strictObject({
    path: z.string().regex(/^\/[^\s]*$/, 'expected a path starting with "/"').describe('path on the app, e.g. /api/tiles'),
    status: z.number().int().min(100).max(599).default(200).describe('expected HTTP status'),
    maxMs: z.number().int().positive().default(3000).describe('slowest acceptable response, in ms'),
  })
  .describe('a smoke check run against the app after each deploy');

const App = z
  .strictObject({
    image: z
      .string()
      .regex(/^[a-z0-9.\-/:_]+\{ref\}[a-zA-Z0-9.\-_]*$/, 'expected an image template containing "{ref}", e.g. "registry.fly.io/app:{ref}"')
      .describe('image template; {ref} is replaced with the ticket\'s ref'),
    strategy: z.enum(['rolling', 'canary', 'bluegreen', 'immediate']).default('rolling').describe('fly deploy --strategy'),
    waitTimeout: Duration.default('5m').describe('fly deploy --wait-timeout'),
    processGroup: z.string().default('app').describe('the Fly process group that serves traffic'),
    url: HttpUrl.optional().describe('public base URL for smoke checks; defaults to the health URL\'s origin'),
    health: z
      .strictObject({
        url: HttpUrl.describe('health endpoint, e.g. https://app.fly.dev/health'),
        maxMs: z.number().int().positive().default(2000).describe('slowest acceptable answer, in ms'),
      })
      .describe('the app\'s health endpoint (HTTP 200 expected)'),
    smoke: z.array(Smoke).default([]).describe('smoke checks run after every deploy of this app'),
    secrets: z.array(EnvName).default([]).describe('secret names that must exist on the app before any deploy'),
    database: z
      .strictObject({ urlEnv: EnvName.describe('environment variable holding a read-only database URL') })
      .optional()
      .describe('the app\'s database, read-only, for migration checks'),
    logScan: z
      .strictObject({ lines: z.number().int().positive().default(100) })
      .prefault({})
      .describe('log lines after a release that must contain no error'),
  })
  .describe('a Fly app opsbeat may deploy');

const Window = z
  .strictObject({
    days: z.string().describe('days, e.g. "mon-fri" or "mon,wed,fri"'),
    from: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected a time "HH:MM"'),
    to: z.string().regex(/^([01]\d|2[0-4]):[0-5]\d$/, 'expected a time "HH:MM"'),
    tz: TimeZone.default('UTC'),
  })
  .describe('a recurring deploy window');

const StatusByLabels = z.strictObject({
  mode: z.literal('labels'),
  rfp: z.string().default('status:rfp'),
  closed: z.string().default('status:closed'),
  failed: z.string().default('status:deploy-failed'),
});

const StatusByProject = z.strictObject({
  mode: z.literal('project'),
  project: z.number().int().positive().describe('the project number'),
  owner: z.string().optional().describe('organisation or user owning the project; defaults to board.github.owner'),
  field: z.string().default('Status'),
  rfp: z.string().default('rfp'),
  closed: z.string().default('closed'),
  failed: z.string().default('deploy-failed'),
});

const GithubEvidence = z
  .strictObject({
    labels: z
      .boolean()
      .default(false)
      .describe('count `cq:pass`, `qa:pass`, `cq:fail` and `qa:fail` labels as review records of whoever added them'),
    pullRequestReviews: z
      .boolean()
      .default(false)
      .describe('count approvals and change requests on pull requests that mention the ticket as CQ records'),
  })
  .describe('review evidence besides verdict comments; absent: comments only');

const GithubDeployments = z
  .strictObject({
    enabled: z.boolean().default(true).describe('record each deploy as a GitHub Deployment with statuses'),
    environment: z.string().min(1).default('{app}').describe('the GitHub environment; {app} is replaced with the Fly app name'),
    repo: z
      .string()
      .regex(/^[\w.-]+\/[\w.-]+$/, 'expected "owner/name"')
      .optional()
      .describe('the repository holding the deployed commits, "owner/name"; defaults to the board repository'),
  })
  .describe('GitHub Deployments on the deployed commit; absent: not recorded');

const GithubBoard = z.strictObject({
  baseUrl: HttpUrl.default('https://api.github.com').describe('REST API base URL; GitHub Enterprise Server: https://<host>/api/v3'),
  owner: z.string().min(1),
  repo: z.string().min(1),
  status: z.discriminatedUnion('mode', [StatusByLabels, StatusByProject]).prefault({ mode: 'labels' }),
  login: z
    .string()
    .min(1)
    .optional()
    .describe('the account opsbeat comments as; read from GET /user when absent (a GitHub App token needs "<app-slug>[bot]" here)'),
  timeout: Duration.optional().describe('limit for each GitHub request (default 10s)'),
  teamCacheTtl: Duration.optional().describe('how long a team-membership answer is reused (default 10m)'),
  evidence: GithubEvidence.optional(),
  deployments: GithubDeployments.optional(),
});

const FilesBoard = z.strictObject({
  dir: z.string().min(1).default('./board').describe('folder holding one Markdown file per ticket'),
  teams: z
    .record(z.string().regex(/^@[\w.-]+\/[\w.-]+$/), z.array(z.string()))
    .default({})
    .describe('members of reviewer teams named "@org/team" (the file board cannot ask GitHub)'),
});

const Slack = z.strictObject({
  apiUrl: HttpUrl.default('https://slack.com/api/'),
  standupChannel: z.string().min(1).default('standup'),
  incidentChannel: z.string().min(1).default('incidents'),
  opsGroup: z.string().min(1).default('ops').describe('handle of the @ops user group whose mentions opsbeat answers'),
  // The keys below have no default in the written form: SlackChat.create fills them (10s, 4, 1d).
  timeout: Duration.optional().describe('limit of one Slack Web API request; default 10s'),
  retries: z.number().int().min(1).max(10).optional().describe('retries of a failed or rate-limited Slack call; default 4'),
  threadLookback: Duration.optional().describe('how old a thread may be for a new reply in it to be read as a mention; default 1d'),
  socketMode: z.boolean().optional().describe('answer mentions at once over Socket Mode (needs SLACK_APP_TOKEN); polling stays on'),
});

const SlackUserId = z.string().regex(/^[UW][A-Z0-9]{2,}$/, 'expected a Slack user id such as "U0123ABCD" (profile → Copy member ID)');

export const Person = z
  .strictObject({
    github: z.string().min(1).optional().describe('GitHub login; defaults to the person\'s key'),
    slack: SlackUserId.optional().describe('Slack member id, e.g. U0123ABCD'),
  })
  .describe('one person, known by GitHub login and Slack user');

const ConsoleChat = z.strictObject({
  transcript: z.string().optional().describe('JSON-lines file receiving every message; defaults to <store.dataDir>/chat.jsonl'),
  color: z.boolean().optional().describe('colour the terminal output; defaults to on when stdout is a terminal'),
});

const Fly = z.strictObject({
  bin: z.string().min(1).default('flyctl').describe('path to the flyctl binary'),
  org: z.string().optional(),
  metricsUrl: HttpUrl.optional(),
  configDir: z.string().optional().describe('FLY_CONFIG_DIR for opsbeat\'s flyctl calls; defaults to <store.dataDir>/fly'),
  timeouts: z
    .strictObject({
      read: Duration.default('30s').describe('status, releases, secrets'),
      logs: Duration.default('30s'),
      deploy: Duration.default('20m').describe('a whole fly deploy, including every machine'),
    })
    .prefault({}),
});

export const WrittenConfig = z.strictObject({
  schedule: z
    .string()
    .default('*/15 * * * *')
    .refine((s) => validateCron(s), 'expected a cron expression such as "*/15 * * * *"')
    .describe('when heartbeats run (cron)'),
  timezone: TimeZone.default('UTC'),
  store: z
    .strictObject({
      url: z.string().optional().describe('Postgres URL; write "${DATABASE_URL}". Absent: embedded PGlite in dataDir'),
      dataDir: z.string().default('.opsbeat'),
    })
    .prefault({}),
  board: z.strictObject({
    kind: z.enum(['github', 'files']).default('files'),
    github: GithubBoard.optional(),
    files: FilesBoard.optional(),
  }),
  reviewers: z.strictObject({
    cq: z.array(z.string().min(1)).describe('who may write CQ records: GitHub users or "@org/team"'),
    qa: z.array(z.string().min(1)).describe('who may write QA records'),
    operators: z.array(z.string().min(1)).default([]).describe('who may roll back, lock and label emergencies'),
  }),
  people: z
    .record(z.string().regex(/^[a-z0-9][a-z0-9._-]*$/i, 'expected a short name such as "alice"'), Person)
    .default({})
    .describe('who is who: each person\'s GitHub login (as in reviewers) and Slack user, configured once'),
  chat: z
    .strictObject({
      kind: z.enum(['slack', 'console']).default('console'),
      slack: Slack.optional(),
      console: ConsoleChat.optional(),
    })
    .prefault({}),
  platform: z
    .strictObject({ kind: z.literal('fly').default('fly'), fly: Fly.prefault({}) })
    .prefault({}),
  apps: z.record(AppName, App).default({}),
  monitor: z.strictObject({ services: z.array(z.string()).default([]) }).prefault({}),
  windows: z.array(Window).default([]).describe('deploy windows; none configured means always open'),
  http: z
    .strictObject({ port: z.number().int().min(0).max(65535).default(8080), host: z.string().default('0.0.0.0') })
    .prefault({}),
  deploys: z
    .strictObject({
      concurrency: z.number().int().min(1).max(10).default(2).describe('different apps deployed at once'),
      observeDependencies: Duration.default('5m').describe('extra observation after a deploy with dependency updates'),
      observeInterval: Duration.default('30s'),
      verifyAttempts: z.number().int().min(1).max(10).default(3).describe('tries of each health and smoke check before it counts as failed'),
      verifyRetryDelay: Duration.default('5s').describe('pause between those tries'),
    })
    .prefault({}),
  questions: z
    .strictObject({ remindAfter: Duration.default('4h').describe('quiet period before one reminder') })
    .prefault({}),
  report: z
    .strictObject({ postWhenIdle: z.boolean().default(false) })
    .prefault({}),
  log: z
    .strictObject({ level: z.enum(['trace', 'debug', 'info', 'warn', 'error']).default('info') })
    .prefault({}),
});
export type WrittenConfig = z.infer<typeof WrittenConfig>;

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}
