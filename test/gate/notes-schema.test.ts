import { describe, expect, it } from 'vitest';
import { Smoke } from '../../src/config/schema.js';
import { DEPLOY_BLOCK_KEYS, SmokeNote } from '../../src/gate/notes-schema.js';

describe('notes schema', () => {
  it.each([
    [{ path: '/api/tiles', status: 200, maxMs: 3000 }],
    [{ path: '/' }],
    [{ path: '/health', status: 204 }],
    [{ path: '/x?y=1', maxMs: 500 }],
  ])('reads smoke entry %j exactly as the config does', (entry) => {
    expect(SmokeNote.parse(entry)).toEqual(Smoke.parse(entry));
  });

  it.each([
    [{ path: 'api' }],
    [{ path: '/a b' }],
    [{ path: '/', status: 99 }],
    [{ path: '/', status: 600 }],
    [{ path: '/', maxMs: 0 }],
    [{ path: '/', maxMs: 1.5 }],
    [{ path: '/', extra: 1 }],
    [{}],
  ])('rejects smoke entry %j as the config does', (entry) => {
    expect(SmokeNote.safeParse(entry).success).toBe(false);
    expect(Smoke.safeParse(entry).success).toBe(false);
  });

  it('has the keys the product design names', () => {
    expect(DEPLOY_BLOCK_KEYS).toEqual(['app', 'ref', 'env', 'migrations', 'flags', 'dependencies', 'smoke']);
  });
});
