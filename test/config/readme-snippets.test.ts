import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseConfigText } from '../../src/config/load.js';
import { WrittenConfig } from '../../src/config/schema.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TOP_LEVEL_KEYS = new Set(Object.keys(WrittenConfig.shape));
/** What a snippet about one part of the file leaves out, so it can be checked on its own. */
const REQUIRED = { board: 'board: { kind: files }', reviewers: 'reviewers: { cq: [alice], qa: [carol] }' };

interface Snippet {
  file: string;
  line: number;
  text: string;
}

async function readmes(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.') || entry.name === 'dist') continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...(await readmes(full)));
    else if (entry.name.toLowerCase() === 'readme.md') found.push(full);
  }
  return found;
}

/** ```yaml blocks whose keys are all top-level configuration keys: the ones that show a piece of config/opsbeat.yaml. */
async function configSnippets(): Promise<Snippet[]> {
  const snippets: Snippet[] = [];
  for (const file of await readmes(ROOT)) {
    const lines = (await readFile(file, 'utf8')).split('\n');
    for (let i = 0; i < lines.length; i++) {
      if (lines[i]!.trim() !== '```yaml') continue;
      const end = lines.findIndex((l, j) => j > i && l.trim() === '```');
      const text = lines.slice(i + 1, end).join('\n');
      i = end;
      let value: unknown;
      try {
        value = parse(text);
      } catch {
        continue;
      }
      if (value && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).every((k) => TOP_LEVEL_KEYS.has(k))) {
        snippets.push({ file: path.relative(ROOT, file), line: i + 2, text });
      }
    }
  }
  return snippets;
}

describe('configuration snippets in README files', () => {
  it('finds the snippets it checks', async () => {
    expect((await configSnippets()).map((s) => s.file)).toContain(path.join('src', 'adapters', 'board', 'README.md'));
  });

  it('each validates', async () => {
    for (const snippet of await configSnippets()) {
      const value = parse(snippet.text) as Record<string, unknown>;
      const missing = Object.entries(REQUIRED).flatMap(([key, line]) => (key in value ? [] : [line]));
      const result = parseConfigText([snippet.text, ...missing, ''].join('\n'), `${snippet.file}:${snippet.line}`, {}, ROOT);
      expect(result.ok ? [] : result.errors, `${snippet.file} snippet at line ${snippet.line}`).toEqual([]);
    }
  });
});
