import { describe, expect, it } from 'vitest';
import { BadResponseError, FlyCommandError, InvariantError, TimeoutError } from '../../../src/errors.js';
import type { DeployRequest } from '../../../src/adapters/platform/types.js';
import { buildSimulatedApp, type SimulatedApp } from '../../../src/demo/simulated-apps.js';
import { setUpFly } from '../../fakes/flyctl/fly-fixture.js';
import { goneWithin, killAfterTest } from '../../fakes/flyctl/processes.js';

const V1 = 'registry.fly.io/hotdash:v1';
const V2 = 'registry.fly.io/hotdash:v2';
const V3 = 'registry.fly.io/hotdash:deployment-01J9ZQ4W3K';

function hotdash(): SimulatedApp {
  const app = buildSimulatedApp({ name: 'hotdash', image: V2, history: [V1], secrets: ['STRIPE_KEY', 'DATABASE_URL'] });
  // A standby in a second group, with a top-level check and no results yet.
  app.machines.push({
    ...app.machines[0]!,
    id: '0000000000aaaa',
    name: 'hotdash-worker',
    state: 'stopped',
    processGroup: 'worker',
    standby: true,
    checkNames: ['alive'],
    checkStatus: null,
  });
  return app;
}

function request(overrides: Partial<DeployRequest> = {}): DeployRequest {
  return { app: 'hotdash', image: V3, strategy: 'rolling', waitTimeoutMs: 90_000, env: {}, ...overrides };
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.fail('expected the call to fail'),
    (err: unknown) => err,
  );
}

describe('FlyPlatform reads', () => {
  it('maps fly status --json to AppStatus', async () => {
    const fx = await setUpFly({ apps: { hotdash: hotdash() } });
    const status = await fx.platform().status('hotdash');
    const [first] = (await fx.state()).apps.hotdash!.machines;

    expect(status).toMatchObject({ app: 'hotdash', deployed: true, version: 2, hostname: 'hotdash.fly.dev' });
    expect(status.machines).toHaveLength(3);
    expect(status.machines.find((m) => m.id === first!.id)).toEqual({
      id: first!.id,
      state: 'started',
      region: 'ams',
      image: V2,
      releaseVersion: 2,
      processGroup: 'app',
      hostStatus: 'ok',
      isStandby: false,
      checks: [{ name: 'servicecheck-00-http-8080', status: 'passing', output: 'Success' }],
      checksConfigured: 1,
    });
    expect(status.machines.find((m) => m.id === '0000000000aaaa')).toMatchObject({
      state: 'stopped',
      processGroup: 'worker',
      isStandby: true,
      checks: [],
      checksConfigured: 1,
    });
    expect((await fx.calls())[0]!.argv).toEqual(['status', '--app', 'hotdash', '--json']);
  });

  it('lists releases newest first and secret names', async () => {
    const fx = await setUpFly({ apps: { hotdash: hotdash() } });
    const releases = await fx.platform().releases('hotdash');
    const secrets = await fx.platform().secretNames('hotdash');

    expect(releases.map((r) => [r.version, r.status, r.imageRef])).toEqual([
      [2, 'complete', V2],
      [1, 'complete', V1],
    ]);
    expect(releases[0]!.createdAt).toBeInstanceOf(Date);
    expect(releases[0]!.user).toBe('deployer@example.com');
    expect(secrets).toEqual(['STRIPE_KEY', 'DATABASE_URL']);
    expect((await fx.calls()).map((c) => c.argv)).toEqual([
      ['releases', '--app', 'hotdash', '--json'],
      ['secrets', 'list', '--app', 'hotdash', '--json'],
    ]);
  });

  it('parses the multi-line fly logs stream and keeps the last entries, oldest first', async () => {
    const app = hotdash();
    app.logs = [1, 2, 3, 4].map((n) => ({
      timestamp: `2026-05-01T10:00:0${n}.123456789Z`,
      level: n === 3 ? 'error' : 'info',
      message: `line {${n}} "quoted"`,
      instance: 'm1',
      region: 'ams',
    }));
    const fx = await setUpFly({ apps: { hotdash: app } });
    const logs = await fx.platform().recentLogs('hotdash', 2);

    expect(logs).toEqual([
      { timestamp: new Date('2026-05-01T10:00:03.123Z'), level: 'error', message: 'line {3} "quoted"', instance: 'm1', region: 'ams' },
      { timestamp: new Date('2026-05-01T10:00:04.123Z'), level: 'info', message: 'line {4} "quoted"', instance: 'm1', region: 'ams' },
    ]);
    expect((await fx.calls())[0]!.argv).toEqual(['logs', '--app', 'hotdash', '--no-tail', '--json']);
  });

  it('bounds fly logs with the logs timeout, since it polls forever on an app without lines', async () => {
    const app = hotdash();
    app.logs = [];
    const fx = await setUpFly({ apps: { hotdash: app } });
    const err = await rejection(fx.platform({ timeouts: { readMs: 5000, logsMs: 400, deployMs: 5000 } }).recentLogs('hotdash', 10));
    expect(err).toBeInstanceOf(TimeoutError);
    expect(err).toMatchObject({ message: 'flyctl did not finish in time', timeoutMs: 400, fields: { kind: 'logs' } });
  });

  it('reports an unknown app with flyctl\'s own words', async () => {
    const fx = await setUpFly({ apps: { hotdash: hotdash() } });
    const err = await rejection(fx.platform().status('nope'));
    expect(err).toBeInstanceOf(FlyCommandError);
    expect(err).toMatchObject({ message: 'fly status failed: Could not find App "nope"', exitCode: 1 });
  });

  it('turns output that is not JSON into BadResponseError without echoing it', async () => {
    const fx = await setUpFly({ apps: { hotdash: hotdash() }, faults: [{ command: 'status', mode: 'garbage' }] });
    const err = (await rejection(fx.platform().status('hotdash'))) as BadResponseError;

    expect(err).toBeInstanceOf(BadResponseError);
    expect(err.code).toBe('bad_response');
    expect(err.service).toBe('fly');
    expect(err.message).toBe('fly status returned output that is not the expected JSON');
    expect(err.issues).toEqual(['stdout is not valid JSON']);
    expect(err.fields).toEqual({ argv: ['status', '--app', 'hotdash', '--json'], excerpt: '<html><body>502 Bad Gateway</body></html>' });
  });

  it('turns wrongly shaped JSON into BadResponseError with the zod issues', async () => {
    const fx = await setUpFly({
      apps: { hotdash: hotdash() },
      faults: [
        { command: 'releases', mode: 'garbage', stdout: '[{"Version": "three"}]' },
        { command: 'logs', mode: 'garbage', stdout: '{\n    "message": 42\n}\nnot json' },
        { command: 'logs', mode: 'garbage', stdout: '{"message": "ok"}\n{\n    "message": 42\n}\n' },
        { command: 'secrets', mode: 'garbage', stdout: '{"name": "X"}' },
      ],
    });
    const releases = (await rejection(fx.platform().releases('hotdash'))) as BadResponseError;
    const logs = (await rejection(fx.platform().recentLogs('hotdash', 5))) as BadResponseError;
    const logEntry = (await rejection(fx.platform().recentLogs('hotdash', 5))) as BadResponseError;
    const secrets = (await rejection(fx.platform().secretNames('hotdash'))) as BadResponseError;

    expect(releases.message).toBe('fly releases returned output that is not the expected JSON');
    expect(releases.issues).toEqual(['[0].Version: Invalid input: expected number, received string']);
    expect(logs.message).toBe('fly logs returned output that is not the expected JSON');
    expect(logs.issues).toEqual(['stdout is not a stream of JSON objects (expected "{" or "[" at offset 22)']);
    expect(logEntry.issues).toEqual(['[1].message: Invalid input: expected string, received number']);
    expect(secrets.message).toBe('fly secrets list returned output that is not the expected JSON');
    expect(secrets.issues).toEqual(['(root): Invalid input: expected array, received object']);
  });

  it('refuses invalid app names and images before spawning', async () => {
    const fx = await setUpFly({ apps: { hotdash: hotdash() } });
    const platform = fx.platform();
    for (const attempt of [
      () => platform.status('--help'),
      () => platform.releases('Hotdash'),
      () => platform.recentLogs('hotdash', 0),
      () => platform.deploy(request({ image: '--build-only' })),
      () => platform.deploy(request({ image: 'registry.fly.io/x:v1 --yes' })),
      () => platform.deploy(request({ env: { FLY_REGION: 'ams' } })),
    ]) {
      const err = await rejection(attempt());
      expect(err).toBeInstanceOf(InvariantError);
      expect((err as InvariantError).message).toMatch(/^refusing to pass an invalid (app|image|env|limit) to flyctl$/);
    }
    expect(await fx.calls()).toEqual([]);
  });
});

describe('FlyPlatform.deploy', () => {
  it('describes the exact fly deploy argv', async () => {
    const fx = await setUpFly({ apps: {} });
    expect(fx.platform().describeDeploy(request({ waitTimeoutMs: 90_500, env: { NEW_CHECKOUT: 'on', A_FLAG: 'x=y' } }))).toEqual([
      'deploy',
      '--app',
      'hotdash',
      '--image',
      V3,
      '--strategy',
      'rolling',
      '--wait-timeout',
      '91s',
      '--deploy-retries',
      '0',
      '--yes',
      '--env',
      'A_FLAG=x=y',
      '--env',
      'NEW_CHECKOUT=on',
    ]);
  });

  it('deploys and returns the release from the FLY_EMIT_RELEASE_JSON line', async () => {
    const fx = await setUpFly({ apps: { hotdash: hotdash() } });
    const platform = fx.platform();
    const req = request({ env: { NEW_CHECKOUT: 'on' } });
    const result = await platform.deploy(req);

    expect(result).toMatchObject({ version: 3, imageRef: V3 });
    expect(result.releaseId).toMatch(/^01J/);
    expect(result.durationMs).toBeGreaterThan(0);
    expect((await fx.calls())[0]!.argv).toEqual(platform.describeDeploy(req));
    const status = await platform.status('hotdash');
    expect(status.version).toBe(3);
    expect(status.machines.filter((m) => !m.isStandby).map((m) => [m.image, m.releaseVersion])).toEqual([
      [V3, 3],
      [V3, 3],
    ]);
    const [newest] = await platform.releases('hotdash');
    expect(newest).toMatchObject({ version: 3, status: 'complete', imageRef: V3, id: result.releaseId });
  });

  it('appends the new machines\' log lines, with the image\'s errors', async () => {
    const fx = await setUpFly({ apps: { hotdash: hotdash() }, images: { [V3]: { logErrors: ['TypeError: cannot read tiles'] } } });
    const platform = fx.platform();
    await platform.deploy(request());
    const logs = await platform.recentLogs('hotdash', 3);
    expect(logs.map((l) => [l.level, l.message])).toEqual([
      ['info', 'Listening on 0.0.0.0:8080'],
      ['info', 'Listening on 0.0.0.0:8080'],
      ['error', 'TypeError: cannot read tiles'],
    ]);
  });

  it('fails with flyctl\'s Error line when the deploy fails, leaving machines alone', async () => {
    const fx = await setUpFly({ apps: { hotdash: hotdash() }, images: { [V3]: { deploy: 'fail', failMessage: 'release command failed - aborting deployment' } } });
    const platform = fx.platform();
    const err = (await rejection(platform.deploy(request()))) as FlyCommandError;

    expect(err).toBeInstanceOf(FlyCommandError);
    expect(err.code).toBe('fly_command_failed');
    expect(err.message).toBe('fly deploy failed: release command failed - aborting deployment');
    expect(err.exitCode).toBe(1);
    expect(err.argv).toEqual(platform.describeDeploy(request()));
    expect((await platform.status('hotdash')).machines.every((m) => m.image === V2)).toBe(true);
    expect((await platform.releases('hotdash'))[0]).toMatchObject({ version: 3, status: 'failed' });
  });

  it('reports an image that does not exist', async () => {
    const fx = await setUpFly({ apps: { hotdash: hotdash() }, images: { [V3]: { missing: true } } });
    const err = await rejection(fx.platform().deploy(request()));
    expect(err).toMatchObject({ message: `fly deploy failed: could not find image "${V3}"`, exitCode: 1 });
  });

  it('leaves the updated machine on the new image when its checks fail (rolling)', async () => {
    const fx = await setUpFly({ apps: { hotdash: hotdash() }, images: { [V3]: { machineChecks: 'critical' } } });
    const platform = fx.platform();
    const err = (await rejection(platform.deploy(request()))) as FlyCommandError;
    const status = await platform.status('hotdash');
    const serving = status.machines.filter((m) => !m.isStandby).sort((a, b) => (a.id < b.id ? -1 : 1));

    expect(err.message).toBe(`fly deploy failed: timeout reached waiting for health checks to pass for machine ${serving[0]!.id}`);
    expect(err.exitCode).toBe(1);
    expect(serving[0]).toMatchObject({ image: V3, releaseVersion: 3, checks: [{ status: 'critical' }] });
    expect(serving[1]).toMatchObject({ image: V2, releaseVersion: 2 });
    expect((await platform.releases('hotdash'))[0]).toMatchObject({ version: 3, status: 'failed' });
  });

  it('kills a hung deploy and its children at the deploy timeout', async () => {
    const fx = await setUpFly({ apps: { hotdash: hotdash() }, images: { [V3]: { deploy: 'hang' } } });
    const platform = fx.platform({ timeouts: { readMs: 5000, logsMs: 5000, deployMs: 700 } });
    const err = (await rejection(platform.deploy(request()))) as TimeoutError;
    const children = await fx.childPids();
    killAfterTest(children);

    expect(err).toBeInstanceOf(TimeoutError);
    expect(err).toMatchObject({ message: 'flyctl did not finish in time', timeoutMs: 700, retryable: false });
    expect(err.details).toContain('`platform.fly.timeouts.deploy`');
    expect(children).toHaveLength(1);
    expect(await goneWithin(children, 1000)).toBe(true);
    // The release flyctl created is left running, for reconciliation to find.
    expect((await platform.releases('hotdash'))[0]).toMatchObject({ version: 3, status: 'running' });
  });

  it('rejects a release line of the wrong shape', async () => {
    const fx = await setUpFly({ apps: { hotdash: hotdash() }, faults: [{ command: 'deploy', mode: 'garbage' }] });
    const err = (await rejection(fx.platform().deploy(request()))) as BadResponseError;
    expect(err).toBeInstanceOf(BadResponseError);
    expect(err.message).toBe('fly deploy returned output that is not the expected JSON');
    expect(err.issues).toEqual([
      '.id: Invalid input: expected string, received number',
      '.version: Invalid input: expected number, received string',
      '.image_ref: Invalid input: expected string, received boolean',
    ]);
  });

  it('returns only the duration when flyctl prints no release line', async () => {
    const fx = await setUpFly({ apps: { hotdash: hotdash() }, faults: [{ command: 'deploy', mode: 'garbage', stdout: 'Visit your newly deployed app\n' }] });
    const result = await fx.platform().deploy(request());
    expect(Object.keys(result)).toEqual(['durationMs']);
  });

  it('keeps the state consistent when several simulator processes run at once', async () => {
    const other = buildSimulatedApp({ name: 'other', image: 'registry.fly.io/other:v1' });
    const fx = await setUpFly({ apps: { hotdash: hotdash(), other } });
    const platform = fx.platform();
    await Promise.all([
      platform.deploy(request()),
      platform.deploy(request({ app: 'other', image: 'registry.fly.io/other:v2' })),
      platform.status('hotdash'),
      platform.releases('other'),
      platform.secretNames('hotdash'),
    ]);
    const state = await fx.state();
    expect(state.apps.hotdash!.releases.map((r) => r.status)).toEqual(['complete', 'complete', 'complete']);
    expect(state.apps.other!.releases.map((r) => [r.version, r.imageRef])).toEqual([
      [1, 'registry.fly.io/other:v1'],
      [2, 'registry.fly.io/other:v2'],
    ]);
  });
});
