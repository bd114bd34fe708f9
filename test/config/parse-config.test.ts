import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfigText, type ConfigResult } from '../../src/config/load.js';

/** The smallest valid file; each test appends or replaces what it is about. */
const MINIMAL = ['board: { kind: files }', 'reviewers: { cq: [alice], qa: [carol] }'];
const FILE = 'config/opsbeat.yaml';
const CWD = path.resolve('/srv/opsbeat');

function parse(lines: string[], env: NodeJS.ProcessEnv = {}): ConfigResult {
  return parseConfigText(`${lines.join('\n')}\n`, FILE, env, CWD);
}

function errorsOf(result: ConfigResult): string[] {
  if (result.ok) throw new Error('expected the configuration to be rejected');
  expect(result.warnings).toEqual([]);
  return result.errors;
}

const APP = [
  'apps:',
  '  hotdash-staging:',
  '    image: "registry.fly.io/hotdash-staging:{ref}"',
  '    health: { url: "https://hotdash-staging.fly.dev/health" }',
];

describe('parseConfigText: the problems a user sees', () => {
  it('accepts the minimal file', () => {
    const result = parse(MINIMAL);
    expect(result.ok).toBe(true);
  });

  it('names the line of a YAML syntax error', () => {
    expect(errorsOf(parse(['board:', '  kind: files', ' reviewers: x']))).toEqual([
      `${FILE}:3: not valid YAML: All mapping items must start at the same column`,
    ]);
  });

  it('reports a duplicated key as a syntax error with its line', () => {
    expect(errorsOf(parse([...MINIMAL, 'timezone: UTC', 'timezone: Europe/Berlin']))).toEqual([
      `${FILE}:4: not valid YAML: Map keys must be unique`,
    ]);
  });

  it('suggests the intended key for a typo', () => {
    expect(errorsOf(parse([...MINIMAL, 'shedule: "*/15 * * * *"']))).toEqual([
      `${FILE}:3: shedule: unknown key; did you mean "schedule"?`,
    ]);
  });

  it('counts swapped letters as one typo', () => {
    expect(errorsOf(parse([...MINIMAL, 'http:', '  prot: 8080']))).toEqual([
      `${FILE}:4: http.prot: unknown key; did you mean "port"?`,
    ]);
  });

  it('suggests only keys that belong where the typo is', () => {
    const lines = [...MINIMAL, ...APP.slice(0, 3), '    helth: { url: "https://hotdash-staging.fly.dev/health" }', 'windows: [{ day: mon-fri, from: "09:00", to: "17:00" }]'];
    expect(errorsOf(parse(lines))).toEqual([
      `${FILE}:6: apps.hotdash-staging.helth: unknown key; did you mean "health"?`,
      `${FILE}:7: windows.0.day: unknown key; did you mean "days"?`,
    ]);
    // \`url\` is a key of store and of apps, not of the top level.
    expect(errorsOf(parse([...MINIMAL, 'url: postgres://db/ops']))).toEqual([`${FILE}:3: url: unknown key; remove it`]);
  });

  it('says to remove a key that resembles nothing', () => {
    expect(errorsOf(parse([...MINIMAL, 'frobnicate: true']))).toEqual([`${FILE}:3: frobnicate: unknown key; remove it`]);
    expect(errorsOf(parse([...MINIMAL, 'nope: 1']))).toEqual([`${FILE}:3: nope: unknown key; remove it`]);
  });

  it('rejects a schedule that is not a cron expression, echoing it', () => {
    expect(errorsOf(parse([...MINIMAL, 'schedule: every 15 minutes']))).toEqual([
      `${FILE}:3: schedule: expected a cron expression such as "*/15 * * * *", got "every 15 minutes"`,
    ]);
  });

  it('rejects a time zone that does not exist', () => {
    expect(errorsOf(parse([...MINIMAL, 'timezone: Mars/Olympus']))).toEqual([
      `${FILE}:3: timezone: expected an IANA time zone such as "UTC" or "Europe/Berlin", got "Mars/Olympus"`,
    ]);
  });

  it('rejects an app name that Fly would not accept, on the line of the name', () => {
    const lines = [...MINIMAL, 'apps:', '  Hotdash_Staging:', '    image: "registry.fly.io/x:{ref}"', '    health: { url: "https://x.fly.dev/health" }'];
    expect(errorsOf(parse(lines))).toEqual([
      `${FILE}:4: apps.Hotdash_Staging: expected a Fly app name: lowercase letters, digits and dashes, got "Hotdash_Staging"`,
    ]);
  });

  it('rejects a health URL that is not a URL, echoing the value', () => {
    const lines = [...MINIMAL, ...APP.slice(0, 3), '    health:', '      url: health', '      maxMs: 2000'];
    expect(errorsOf(parse(lines))).toEqual([`${FILE}:7: apps.hotdash-staging.health.url: expected an http(s) URL, got "health"`]);
  });

  it('points a missing key at its parent and says it is missing', () => {
    const lines = [...MINIMAL, ...APP.slice(0, 3)];
    expect(errorsOf(parse(lines))).toEqual([`${FILE}:4: apps.hotdash-staging.health: is missing; add it (expected object)`]);
    expect(errorsOf(parse(['board: { kind: files }']))).toEqual([`${FILE}:1: reviewers: is missing; add it (expected object)`]);
  });

  it('reports every problem at once', () => {
    const errors = errorsOf(parse([...MINIMAL, 'timezone: Nowhere', 'schedule: "61 * * * *"', 'http: { port: 70000 }']));
    expect(errors).toEqual([
      `${FILE}:4: schedule: expected a cron expression such as "*/15 * * * *", got "61 * * * *"`,
      `${FILE}:3: timezone: expected an IANA time zone such as "UTC" or "Europe/Berlin", got "Nowhere"`,
      `${FILE}:5: http.port: Too big: expected number to be <=65535, got 70000`,
    ]);
  });
});

describe('parseConfigText: secrets', () => {
  const SECRET = 'pw-canary-5f2a9c';

  it('rejects a password written in store.url without ever echoing it', () => {
    const errors = errorsOf(parse([...MINIMAL, 'store:', `  url: postgres://ops:${SECRET}@db.internal:5432/ops`]));
    expect(errors).toEqual([
      `${FILE}:4: store.url: holds a password: secrets come only from the environment; write "\${DATABASE_URL}"`,
    ]);
    expect(errors.join('\n')).not.toContain(SECRET);
  });

  it('accepts a password that comes from the environment, as a whole URL or as a part', () => {
    const url = `postgres://ops:${SECRET}@db.internal:5432/ops`;
    const whole = parse([...MINIMAL, 'store:', '  url: ${DATABASE_URL}'], { DATABASE_URL: url });
    expect(whole.ok && whole.config.store.url).toBe(url);
    const part = parse([...MINIMAL, 'store:', '  url: "postgres://ops:${DB_PASSWORD}@db.internal:5432/ops"'], { DB_PASSWORD: SECRET });
    expect(part.ok && part.config.store.url).toBe(url);
  });

  it('still rejects a written password when only the host comes from the environment', () => {
    const errors = errorsOf(parse([...MINIMAL, 'store:', `  url: "postgres://ops:${SECRET}@\${DB_HOST}/ops"`], { DB_HOST: 'db.internal' }));
    expect(errors).toEqual([
      `${FILE}:4: store.url: holds a password: secrets come only from the environment; write "\${DATABASE_URL}"`,
    ]);
  });

  it('never echoes a value that came from the environment', () => {
    const url = `https://metrics:${SECRET}@api.fly.io prometheus`;
    const errors = errorsOf(parse([...MINIMAL, 'platform:', '  fly:', '    metricsUrl: ${METRICS_URL}'], { METRICS_URL: url }));
    expect(errors).toEqual([`${FILE}:5: platform.fly.metricsUrl: expected an http(s) URL`]);
    expect(errorsOf(parse([...MINIMAL, 'platform:', '  fly:', '    metricsUrl: not-a-url']))).toEqual([
      `${FILE}:5: platform.fly.metricsUrl: expected an http(s) URL, got "not-a-url"`,
    ]);
  });

  it('never echoes a store value of the wrong type', () => {
    expect(errorsOf(parse([...MINIMAL, 'store: { url: 12345678 }']))).toEqual([`${FILE}:3: store.url: expected string, received number`]);
  });
});

describe('parseConfigText: ${VAR} interpolation', () => {
  it('replaces a reference with the value of the variable', () => {
    const result = parse([...MINIMAL, 'platform:', '  fly:', '    org: ${FLY_ORG}', '    metricsUrl: "https://api.fly.io/prometheus/${FLY_ORG}"'], {
      FLY_ORG: 'acme',
    });
    if (!result.ok) throw new Error(result.errors.join('\n'));
    expect(result.config.platform.fly.org).toBe('acme');
    expect(result.config.platform.fly.metricsUrl).toBe('https://api.fly.io/prometheus/acme');
  });

  it('drops a value that is only a reference to an unset (or empty) variable, so its default applies', () => {
    for (const env of [{}, { DATABASE_URL: '' }]) {
      const result = parse([...MINIMAL, 'store:', '  url: ${DATABASE_URL}', '  dataDir: data'], env);
      if (!result.ok) throw new Error(result.errors.join('\n'));
      expect(result.config.store).toEqual({ url: undefined, dataDir: path.join(CWD, 'data') });
    }
  });

  it('names the variable when a reference inside a string is unset', () => {
    expect(errorsOf(parse([...MINIMAL, 'platform:', '  fly:', '    org: "acme-${FLY_ORG_SUFFIX}"']))).toEqual([
      `${FILE}:5: platform.fly.org: environment variable FLY_ORG_SUFFIX is not set; export it or remove the reference`,
    ]);
  });
});

describe('parseConfigText: cross-field rules', () => {
  it('requires the github block when the board is GitHub', () => {
    expect(errorsOf(parse(['board: { kind: github }', 'reviewers: { cq: [alice], qa: [carol] }']))).toEqual([
      `${FILE}:1: board.github: required when board.kind is "github": add owner, repo and status`,
    ]);
  });

  it('requires the slack block when chat is Slack', () => {
    expect(errorsOf(parse([...MINIMAL, 'chat:', '  kind: slack']))).toEqual([
      `${FILE}:3: chat.slack: required when chat.kind is "slack": add standupChannel (and apiUrl for a non-default server)`,
    ]);
  });

  it('requires every monitored service to be a configured app', () => {
    expect(errorsOf(parse([...MINIMAL, ...APP, 'monitor:', '  services: [hotdash-staging, ghost]']))).toEqual([
      `${FILE}:8: monitor.services.1: names no app under "apps"; add apps.ghost or remove it`,
    ]);
  });

  it('rejects empty CQ and QA reviewer lists', () => {
    expect(errorsOf(parse(['board: { kind: files }', 'reviewers:', '  cq: []', '  qa: []']))).toEqual([
      `${FILE}:3: reviewers.cq: is empty: no CQ record could ever count; list at least one reviewer`,
      `${FILE}:4: reviewers.qa: is empty: no QA record could ever count; list at least one reviewer`,
    ]);
  });

  it('rejects window days it cannot read', () => {
    expect(errorsOf(parse([...MINIMAL, 'windows:', '  - { days: weekdays, from: "09:00", to: "17:00" }']))).toEqual([
      `${FILE}:4: windows.0.days: expected days such as "mon-fri" or "sat,sun", got "weekdays"`,
    ]);
  });

  it('rejects a window whose start equals its end', () => {
    const lines = [...MINIMAL, 'windows:', '  - { days: mon-fri, from: "09:00", to: "17:00" }', '  - days: sat', '    from: "10:00"', '    to: "10:00"'];
    expect(errorsOf(parse(lines))).toEqual([`${FILE}:7: windows.1.to: equals "from": the window would be empty`]);
  });

  it('rejects a window time that is not HH:MM', () => {
    expect(errorsOf(parse([...MINIMAL, 'windows:', '  - { days: mon-fri, from: "9am", to: "17:00" }']))).toEqual([
      `${FILE}:4: windows.0.from: expected a time "HH:MM", got "9am"`,
    ]);
  });
});
