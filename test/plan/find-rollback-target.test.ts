import { describe, expect, it } from 'vitest';
import type { AppStatus, Machine, Release } from '../../src/adapters/platform/types.js';
import { findRollbackTarget } from '../../src/plan/find-rollback-target.js';

const V2 = 'registry.fly.io/hotdash-staging:b71c0de';
const V1 = 'registry.fly.io/hotdash-staging:9d4e7aa';
const V3 = 'registry.fly.io/hotdash-staging:3f9c2e1';

function machine(id: string, overrides: Partial<Machine> = {}): Machine {
  return { id, state: 'started', image: V2, releaseVersion: 2, processGroup: 'app', isStandby: false, checks: [], checksConfigured: 1, ...overrides };
}

function status(machines: Machine[], version = 2): AppStatus {
  return { app: 'hotdash-staging', deployed: true, version, machines };
}

function release(version: number, imageRef: string, state = 'complete'): Release {
  return { id: `rel${version}`, version, status: state, imageRef, createdAt: new Date(Date.UTC(2026, 10, 20 + version)) };
}

const RELEASES = [release(3, V3, 'failed'), release(2, V2), release(1, V1)];

describe('findRollbackTarget', () => {
  it('returns the image and release the serving machines agree on', () => {
    expect(findRollbackTarget(status([machine('m1'), machine('m2')]), RELEASES, 'app')).toEqual({ ok: true, image: V2, version: 2 });
  });

  it('takes the version from the app when the machines do not carry one', () => {
    const machines = [machine('m1', { releaseVersion: undefined }), machine('m2', { releaseVersion: undefined })];
    expect(findRollbackTarget(status(machines, 7), [], 'app')).toEqual({ ok: true, image: V2, version: 7 });
    const oneKnows = [machine('m1', { releaseVersion: undefined }), machine('m2', { releaseVersion: 5 })];
    expect(findRollbackTarget(status(oneKnows, 7), [], 'app')).toEqual({ ok: true, image: V2, version: 5 });
  });

  it('refuses when the serving machines run different images, and says why', () => {
    const mixed = [machine('m1', { image: V3, releaseVersion: 3 }), machine('m2'), machine('m3', { image: V1, releaseVersion: 1 })];
    const why = `the app machines run different images (${V3}, ${V1}, ${V2}); an earlier deploy did not finish`;
    expect(findRollbackTarget(status(mixed), RELEASES, 'app')).toEqual({ ok: false, why });
    // In whatever order Fly lists the machines, the same words (a hold comment quoting them is not rewritten).
    expect(findRollbackTarget(status([...mixed].reverse()), RELEASES, 'app')).toEqual({ ok: false, why });
  });

  it('looks only at the process group that serves traffic, and ignores standbys, destroyed machines and machines without an image', () => {
    const machines = [
      machine('m1'),
      machine('worker', { processGroup: 'worker', image: V1 }),
      machine('standby', { isStandby: true, image: V3 }),
      machine('gone', { state: 'destroyed', image: V3 }),
      machine('blank', { image: undefined }),
      machine('legacy', { processGroup: undefined }),
    ];
    expect(findRollbackTarget(status(machines), RELEASES, 'app')).toEqual({ ok: true, image: V2, version: 2 });
    expect(findRollbackTarget(status(machines.slice(0, 5)), RELEASES, 'worker')).toEqual({ ok: true, image: V1, version: 2 });
  });

  it('counts stopped machines: they start again on the image they have', () => {
    const machines = [machine('m1', { state: 'stopped', image: V1, releaseVersion: 1 }), machine('m2')];
    expect(findRollbackTarget(status(machines), RELEASES, 'app')).toMatchObject({ ok: false });
  });

  it('falls back to the newest complete release when no machine serves', () => {
    expect(findRollbackTarget(status([]), RELEASES, 'app')).toEqual({ ok: true, image: V2, version: 2 });
    expect(findRollbackTarget(status([machine('w', { processGroup: 'worker' })]), [release(1, V1)], 'app')).toEqual({
      ok: true,
      image: V1,
      version: 1,
    });
    const noImage = [release(3, '', 'complete'), release(2, V2)];
    expect(findRollbackTarget(status([]), noImage, 'app')).toEqual({ ok: true, image: V2, version: 2 });
  });

  it('refuses when there is neither a serving machine nor a complete release', () => {
    const why = 'the app has no running machines and no complete release';
    expect(findRollbackTarget(status([]), [], 'app')).toEqual({ ok: false, why });
    expect(findRollbackTarget(status([]), [release(1, V1, 'failed'), release(2, V2, 'running')], 'app')).toEqual({ ok: false, why });
  });
});
