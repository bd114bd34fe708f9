import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkEnvironment, loadConfig, parseConfigText } from '../../src/config/load.js';
import type { WrittenConfig } from '../../src/config/schema.js';
import { tmpDir } from '../helpers/tmp-dir.js';

const EXAMPLE = fileURLToPath(new URL('../../config/opsbeat.example.yaml', import.meta.url));

function writtenOf(lines: string[]): WrittenConfig {
  const result = parseConfigText(`${lines.join('\n')}\n`, 'opsbeat.yaml', {}, process.cwd());
  if (!result.ok) throw new Error(result.errors.join('\n'));
  return result.written;
}

describe('loadConfig', () => {
  it('reads, validates and normalises a file, resolving paths against the given folder', async () => {
    const dir = await tmpDir();
    const file = path.join(dir, 'opsbeat.yaml');
    await writeFile(file, 'board: { kind: files, files: { dir: tickets } }\nreviewers: { cq: [alice], qa: [carol] }\n');
    const result = await loadConfig(file, {}, dir);
    if (!result.ok) throw new Error(result.errors.join('\n'));
    expect(result.config.source).toBe(file);
    expect(result.config.board).toEqual({ kind: 'files', files: { dir: path.join(dir, 'tickets'), teams: {} } });
    expect(result.warnings).toEqual([]);
  });

  it('says how to create a missing file', async () => {
    const dir = await tmpDir();
    const file = path.join(dir, 'opsbeat.yaml');
    expect(await loadConfig(file, {}, dir)).toEqual({
      ok: false,
      warnings: [],
      errors: [`${file}: not found; copy config/opsbeat.example.yaml to ${file} or pass --config <file>`],
    });
  });

  it('says when the path cannot be read', async () => {
    const dir = await tmpDir();
    expect(await loadConfig(dir, {}, dir)).toEqual({ ok: false, warnings: [], errors: [`${dir}: cannot be read (EISDIR)`] });
  });

  it('names the file in every problem line', async () => {
    const dir = await tmpDir();
    const file = path.join(dir, 'opsbeat.yaml');
    await writeFile(file, 'board: { kind: files }\nreviewers: { cq: [alice], qa: [carol] }\ntimezone: Berlin\n');
    expect(await loadConfig(file, {}, dir)).toEqual({
      ok: false,
      warnings: [],
      errors: [`${file}:3: timezone: expected an IANA time zone such as "UTC" or "Europe/Berlin", got "Berlin"`],
    });
  });
});

describe('config/opsbeat.example.yaml', () => {
  it('validates, with and without DATABASE_URL', async () => {
    for (const env of [{}, { DATABASE_URL: 'postgres://opsbeat:example-password@db.internal:5432/opsbeat' }]) {
      const result = await loadConfig(EXAMPLE, env, path.dirname(EXAMPLE));
      if (!result.ok) throw new Error(`the example configuration no longer validates:\n${result.errors.join('\n')}`);
      expect(result.warnings).toEqual([]);
      expect(result.config.store.url).toBe(env.DATABASE_URL);
    }
  });

  it('shows the documented shape', async () => {
    const result = await loadConfig(EXAMPLE, {}, path.dirname(EXAMPLE));
    if (!result.ok) throw new Error(result.errors.join('\n'));
    const { config } = result;
    expect(config.schedule).toBe('*/15 * * * *');
    expect(config.board.kind).toBe('github');
    expect(config.chat.kind).toBe('slack');
    expect(Object.keys(config.apps)).toEqual(['hotdash-staging']);
    expect(config.monitor.services).toEqual(['hotdash-staging']);
    expect(config.windows).toEqual([{ days: 'mon-fri', from: '09:00', to: '17:00', tz: 'Europe/Berlin' }]);
  });

  it('holds no secret values', async () => {
    const text = await readFile(EXAMPLE, 'utf8');
    expect(text).not.toMatch(/postgres(ql)?:\/\/[^\s$]*:[^\s@]+@/);
    expect(text).not.toMatch(/\b(ghp|xoxb|fo1)_[A-Za-z0-9]/);
  });
});

describe('checkEnvironment', () => {
  const FILES = ['board: { kind: files }', 'reviewers: { cq: [alice], qa: [carol] }'];

  it('requires FLY_API_TOKEN', () => {
    expect(checkEnvironment(writtenOf(FILES), {})).toEqual({
      errors: ['environment: FLY_API_TOKEN is not set; it is needed for flyctl calls (platform.kind: fly)'],
      warnings: [],
    });
    expect(checkEnvironment(writtenOf(FILES), { FLY_API_TOKEN: 'fo1_abc' })).toEqual({ errors: [], warnings: [] });
  });

  it('requires GITHUB_TOKEN for a GitHub board and SLACK_BOT_TOKEN for Slack', () => {
    const written = writtenOf([
      'board: { kind: github, github: { owner: acme, repo: ops-board } }',
      'reviewers: { cq: [alice], qa: [carol] }',
      'chat: { kind: slack, slack: {} }',
    ]);
    expect(checkEnvironment(written, { FLY_API_TOKEN: 'fo1_abc' })).toEqual({
      errors: [
        'environment: GITHUB_TOKEN is not set; it is needed for the GitHub board',
        'environment: SLACK_BOT_TOKEN is not set; it is needed for Slack chat',
      ],
      warnings: [],
    });
    expect(checkEnvironment(written, { FLY_API_TOKEN: 'a', GITHUB_TOKEN: 'b', SLACK_BOT_TOKEN: 'c' })).toEqual({ errors: [], warnings: [] });
  });

  it('only warns about a missing app database URL, and never prints a value', () => {
    const written = writtenOf([
      ...FILES,
      'apps:',
      '  hotdash-staging:',
      '    image: "registry.fly.io/hotdash-staging:{ref}"',
      '    health: { url: "https://hotdash-staging.fly.dev/health" }',
      '    database: { urlEnv: HOTDASH_DB_URL }',
    ]);
    expect(checkEnvironment(written, { FLY_API_TOKEN: 'fo1_canary_value' })).toEqual({
      errors: [],
      warnings: ['environment: HOTDASH_DB_URL is not set; it is needed for migration checks of apps.hotdash-staging'],
    });
    const all = checkEnvironment(written, { HOTDASH_DB_URL: 'postgres://ro:canary-db-pw@db/hotdash' });
    expect(JSON.stringify(all)).not.toContain('canary');
    expect(all.warnings).toEqual([]);
  });

  it('treats an empty variable as unset', () => {
    expect(checkEnvironment(writtenOf(FILES), { FLY_API_TOKEN: '' }).errors).toHaveLength(1);
  });
});
