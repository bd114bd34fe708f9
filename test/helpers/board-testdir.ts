import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { tmpDir } from './tmp-dir.js';

/**
 * A file-board folder for one test: `boardTestdir({ 'OPS-1.md': '---\n…' })` writes each file
 * (paths may contain folders) into a fresh temporary directory, removed after the test.
 */
export async function boardTestdir(files: Record<string, string> = {}): Promise<string> {
  const dir = await tmpDir('opsbeat-board-');
  for (const [name, text] of Object.entries(files)) {
    const file = path.join(dir, name);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, text, 'utf8');
  }
  return dir;
}
