import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { baseEnv, runOpsbeat, sandboxConfigYaml } from '../helpers/sandbox-process.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'opsbeat-cli-config-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function configFile(name: string, text: string): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, text);
  return file;
}

function check(file: string, env: NodeJS.ProcessEnv = baseEnv({ FLY_API_TOKEN: 'test-token' })) {
  return runOpsbeat(['config', 'check', '--config', file], { env });
}

describe('opsbeat config check', { timeout: 300_000 }, () => {
  it('prints one OK line naming the board, chat, store, apps and schedule, and exits 0', async () => {
    const dataDir = path.join(dir, 'data');
    const file = await configFile('opsbeat.yaml', sandboxConfigYaml({ dataDir, boardDir: path.join(dir, 'board'), appsUrl: 'http://127.0.0.1:9' }));
    const result = await check(file);
    expect(result).toMatchObject({
      code: 0,
      stdout: `${file}: OK — board files, chat console, store embedded (${dataDir}), 2 apps, schedule "*/15 * * * *" UTC\n`,
      stderr: '',
    });
  });

  it('prints every schema problem with its file, line, key and fix, then a count, and exits 1', async () => {
    const file = await configFile(
      'bad.yaml',
      [
        'schedule: "every 15 minutes"',
        'board: { kind: files, files: { dir: ./board } }',
        'reviewers: { cq: [alice], qa: [carol] }',
        'apps:',
        '  hotdash:',
        '    image: "registry.fly.io/hotdash"',
        '    health: { url: "https://hotdash.fly.dev/health" }',
        '    helth: 1',
        '',
      ].join('\n'),
    );
    const result = await check(file);
    expect(result).toMatchObject({
      code: 1,
      stdout: '',
      stderr: [
        `${file}:1: schedule: expected a cron expression such as "*/15 * * * *", got "every 15 minutes"`,
        `${file}:6: apps.hotdash.image: expected an image template containing "{ref}", e.g. "registry.fly.io/app:{ref}", got "registry.fly.io/hotdash"`,
        `${file}:8: apps.hotdash.helth: unknown key; did you mean "health"?`,
        `3 problems in ${file}`,
        '',
      ].join('\n'),
    });
  });

  it('prints every cross-field rule problem, and exits 1', async () => {
    const file = await configFile(
      'rules.yaml',
      [
        'board: { kind: files }',
        'reviewers: { cq: [], qa: [carol] }',
        'apps:',
        '  hotdash:',
        '    image: "registry.fly.io/hotdash:{ref}"',
        '    health: { url: "https://hotdash.fly.dev/health" }',
        'monitor: { services: [hotdash, nope] }',
        'windows: [{ days: mon-fri, from: "09:00", to: "09:00" }]',
        '',
      ].join('\n'),
    );
    const result = await check(file);
    expect(result).toMatchObject({
      code: 1,
      stdout: '',
      stderr: [
        `${file}:7: monitor.services.1: names no app under "apps"; add apps.nope or remove it`,
        `${file}:2: reviewers.cq: is empty: no CQ record could ever count; list at least one reviewer`,
        `${file}:8: windows.0.to: equals "from": the window would be empty`,
        `3 problems in ${file}`,
        '',
      ].join('\n'),
    });
  });

  it('names YAML syntax errors by line', async () => {
    const file = await configFile('syntax.yaml', 'board: { kind: files\nreviewers: [\n');
    const result = await check(file);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(new RegExp(`^${escape(file)}:\\d+: not valid YAML: .+\n`));
    expect(result.stderr).toMatch(new RegExp(`\n\\d problems? in ${escape(file)}\n$`));
  });

  it('reports a missing environment variable as a problem and a missing database URL as a warning', async () => {
    const file = await configFile(
      'env.yaml',
      [
        'board: { kind: files }',
        `store: { dataDir: ${JSON.stringify(path.join(dir, 'data'))} }`,
        'reviewers: { cq: [alice], qa: [carol] }',
        'apps:',
        '  hotdash:',
        '    image: "registry.fly.io/hotdash:{ref}"',
        '    health: { url: "https://hotdash.fly.dev/health" }',
        '    database: { urlEnv: HOTDASH_DB_URL }',
        '',
      ].join('\n'),
    );
    const [withoutToken, withToken] = await Promise.all([check(file, baseEnv()), check(file)]);
    expect(withoutToken).toMatchObject({
      code: 1,
      stdout: '',
      stderr: [
        'warning: environment: HOTDASH_DB_URL is not set; it is needed for migration checks of apps.hotdash',
        'environment: FLY_API_TOKEN is not set; it is needed for flyctl calls (platform.kind: fly)',
        '',
      ].join('\n'),
    });
    expect(withToken).toMatchObject({
      code: 0,
      stdout: `${file}: OK — board files, chat console, store embedded (${path.join(dir, 'data')}), 1 app, schedule "*/15 * * * *" UTC\n`,
      stderr: 'warning: environment: HOTDASH_DB_URL is not set; it is needed for migration checks of apps.hotdash\n',
    });
  });

  it('says how to get a configuration when the file does not exist', async () => {
    const file = path.join(dir, 'nowhere.yaml');
    const result = await check(file);
    expect(result).toMatchObject({
      code: 1,
      stdout: '',
      stderr: `${file}: not found; copy config/opsbeat.example.yaml to ${file} or pass --config <file>\n1 problem in ${file}\n`,
    });
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
