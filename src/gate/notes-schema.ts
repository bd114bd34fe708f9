import { z } from 'zod';

/**
 * The YAML inside a ticket's ```deploy block. Every message says what is expected and gives an
 * example, because it is shown to the ticket's author as it is. The smoke entries have the same
 * shape as the config's `Smoke` schema (test/gate/notes-schema.test.ts keeps them in step).
 */

export const APP_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;
/** Ends up as a process argument (the image tag): no leading dash, no spaces, no slashes. */
export const REF = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
export const SECRET_NAME = /^[A-Z_][A-Z0-9_]*$/;
const FLAG_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

const MESSAGES = {
  app: '`app` must be the name of a configured app: lowercase letters, digits and dashes, e.g. `app: hotdash-staging`.',
  appMissing: '`app` is missing: add the app to deploy, e.g. `app: hotdash-staging`.',
  ref: '`ref` must be a commit SHA or an image tag: letters, digits, `.`, `_` and `-`, starting with a letter or digit, with no spaces or `/`, e.g. `ref: 3f9c2e1`.',
  refMissing: '`ref` is missing: add the commit or image tag to ship, e.g. `ref: 3f9c2e1`.',
  env: '`env` must be a list of secret names, e.g. `env: [STRIPE_WEBHOOK_SECRET]`.',
  envName: '`env` lists secret names only: capital letters, digits and `_`, e.g. `STRIPE_WEBHOOK_SECRET`.',
  migrations: '`migrations` must be SQL text: write `migrations: |` and the SQL indented on the lines below.',
  flags: '`flags` must map flag names to values, e.g. `flags: { NEW_CHECKOUT: "on" }`.',
  flagName: 'flag names are letters, digits and `_`, starting with a letter or `_` and not with `FLY_` (Fly reserves those), e.g. `NEW_CHECKOUT`.',
  flagValue: 'a flag value must be one line of text, a number, or true/false, e.g. `NEW_CHECKOUT: "on"`.',
  dependencies: '`dependencies` must be `true` or `false`.',
  smoke: '`smoke` must be a list of checks, e.g. `smoke: [{ path: /api/tiles, status: 200, maxMs: 3000 }]`.',
  smokePath: 'a smoke `path` must start with `/`, e.g. `path: /api/tiles`.',
  smokeStatus: 'a smoke `status` must be an HTTP status between 100 and 599, e.g. `status: 200`.',
  smokeMaxMs: 'a smoke `maxMs` must be a whole number of milliseconds above 0, e.g. `maxMs: 3000`.',
} as const;

function required(missing: string, wrong: string): (issue: { input?: unknown }) => string {
  return (issue) => (issue.input === undefined || issue.input === null ? missing : wrong);
}

export const SmokeNote = z.strictObject({
  path: z.string({ error: MESSAGES.smokePath }).regex(/^\/[^\s]*$/, MESSAGES.smokePath),
  status: z.number({ error: MESSAGES.smokeStatus }).int(MESSAGES.smokeStatus).min(100, MESSAGES.smokeStatus).max(599, MESSAGES.smokeStatus).default(200),
  maxMs: z.number({ error: MESSAGES.smokeMaxMs }).int(MESSAGES.smokeMaxMs).positive(MESSAGES.smokeMaxMs).default(3000),
});

const FlagValue = z
  .union([z.string().regex(/^[^\r\n]*$/), z.number(), z.boolean()], { error: MESSAGES.flagValue })
  .transform((value) => String(value));

export const DeployBlock = z.strictObject({
  app: z.string({ error: required(MESSAGES.appMissing, MESSAGES.app) }).regex(APP_NAME, MESSAGES.app),
  ref: z.string({ error: required(MESSAGES.refMissing, MESSAGES.ref) }).regex(REF, MESSAGES.ref),
  env: z.preprocess(
    (value) => (typeof value === 'string' ? [value] : value),
    z.array(z.string({ error: MESSAGES.envName }).regex(SECRET_NAME, MESSAGES.envName), { error: MESSAGES.env }).default([]),
  ),
  migrations: z
    .string({ error: MESSAGES.migrations })
    .optional()
    .transform((sql) => (sql?.trim() ? sql : undefined)),
  flags: z
    .record(z.string().regex(FLAG_NAME, MESSAGES.flagName).refine((name) => !/^FLY_/i.test(name), MESSAGES.flagName), FlagValue, {
      error: (issue) => (issue.code === 'invalid_key' ? MESSAGES.flagName : MESSAGES.flags),
    })
    .default({}),
  dependencies: z.boolean({ error: MESSAGES.dependencies }).default(false),
  smoke: z.array(SmokeNote, { error: MESSAGES.smoke }).default([]),
});
export type DeployBlock = z.output<typeof DeployBlock>;

/** The keys a deploy block may have, for "did you mean". */
export const DEPLOY_BLOCK_KEYS: readonly string[] = Object.keys(DeployBlock.shape);
export const SMOKE_KEYS: readonly string[] = Object.keys(SmokeNote.shape);
