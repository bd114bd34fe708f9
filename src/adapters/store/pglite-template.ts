import { createHash, randomUUID } from 'node:crypto';
import { access, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { MIGRATIONS } from './migrations.js';

/**
 * A cached, migrated PGlite data folder (a gzipped tarball from `dumpDataDir`). A fresh PGlite
 * runs initdb, which is slow; loading this tarball is several times faster. The file name carries
 * the schema version and a hash of the migrations' SQL, so an edited migration never loads a stale
 * template.
 */
export function templatePath(cacheDir: string): string {
  const version = MIGRATIONS.at(-1)?.id ?? 0;
  const hash = createHash('sha256');
  for (const m of MIGRATIONS) hash.update(`${m.id}\0${m.sql}\0`);
  return path.join(cacheDir, `pglite-template-${version}-${hash.digest('hex').slice(0, 12)}.tar.gz`);
}

export async function hasTemplate(cacheDir: string): Promise<boolean> {
  return access(templatePath(cacheDir)).then(
    () => true,
    () => false,
  );
}

export async function readTemplate(cacheDir: string): Promise<Blob | undefined> {
  try {
    return new Blob([await readFile(templatePath(cacheDir))]);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** Written beside, then renamed into place: concurrent writers never leave a torn file. */
export async function writeTemplate(cacheDir: string, tarball: Blob): Promise<void> {
  const file = templatePath(cacheDir);
  await mkdir(cacheDir, { recursive: true });
  const tmp = `${file}.${process.pid}.${randomUUID()}.tmp`;
  await writeFile(tmp, Buffer.from(await tarball.arrayBuffer()));
  await rename(tmp, file);
}

export async function discardTemplate(cacheDir: string): Promise<void> {
  await rm(templatePath(cacheDir), { force: true });
}
