import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FlyCommandError, InvariantError, TimeoutError } from '../../../src/errors.js';
import { Flyctl } from '../../../src/adapters/platform/flyctl.js';
import { buildSimulatedApp } from '../../../src/demo/simulated-apps.js';
import { Redactor } from '../../../src/logging/redactor.js';
import { captureLogs } from '../../helpers/capture-logs.js';
import { TEST_TOKEN, setUpFly } from '../../fakes/flyctl/fly-fixture.js';
import { goneWithin, killAfterTest } from '../../fakes/flyctl/processes.js';

const app = buildSimulatedApp({ name: 'hotdash', image: 'registry.fly.io/hotdash:v1' });
const STATUS = ['status', '--app', 'hotdash', '--json'];

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.fail('expected the call to fail'),
    (err: unknown) => err,
  );
}

describe('Flyctl', () => {
  it('runs flyctl in an empty folder with a clean env and logs the call at debug', async () => {
    const fx = await setUpFly({
      apps: { hotdash: app },
      parentEnv: { FLY_REGION: 'ams', GITHUB_TOKEN: 'ghp_parentsecret123', DATABASE_URL: 'postgres://u:p@db/x', FLY_APP: 'other' },
    });
    const out = await fx.flyctl().run('read', STATUS);

    expect(JSON.parse(out.stdout)).toMatchObject({ Name: 'hotdash' });
    const [call] = await fx.calls();
    expect(call!.argv).toEqual(STATUS);
    expect(call!.envNames).toEqual([
      'FLY_API_TOKEN',
      'FLY_CONFIG_DIR',
      'FLY_NO_INCIDENTS_CHECK',
      'FLY_NO_UPDATE_CHECK',
      'FLY_SEND_METRICS',
      'FLY_SIMULATOR_CALLS',
      'FLY_SIMULATOR_STATE',
      'HOME',
      'NO_COLOR',
      'PATH',
    ]);
    expect(call!.cwd).toBe(path.join(fx.configDir, 'cwd'));
    expect(await readdir(call!.cwd)).toEqual([]);

    const line = fx.logs.lines.find((l) => l.adapter === 'flyctl');
    expect(line).toMatchObject({ level: 'debug', cmd: STATUS, kind: 'read', status: 0, msg: 'fly status finished' });
    expect(typeof line!.durationMs).toBe('number');
    expect(fx.logs.raw.join('\n')).not.toContain('fm2_test-token');
  });

  it('sets FLY_EMIT_RELEASE_JSON for deploys only', async () => {
    const fx = await setUpFly({ apps: { hotdash: app } });
    await fx.flyctl().run('deploy', ['deploy', '--app', 'hotdash', '--image', 'registry.fly.io/hotdash:v2', '--yes']);
    const [call] = await fx.calls();
    expect(call!.envNames).toContain('FLY_EMIT_RELEASE_JSON');
  });

  it('fails before spawning when no token is configured', async () => {
    const fx = await setUpFly({ apps: { hotdash: app } });
    const err = await rejection(fx.flyctl({ token: undefined }).run('read', STATUS));

    expect(err).toBeInstanceOf(FlyCommandError);
    expect(err).toMatchObject({ code: 'fly_token_missing', message: 'no Fly API token is configured', argv: STATUS });
    expect((err as FlyCommandError).details).toContain('`FLY_API_TOKEN`');
    expect((err as FlyCommandError).details).toContain('`fly tokens create deploy -a APP`');
    expect(await fx.calls()).toEqual([]);
  });

  it('turns a non-zero exit into FlyCommandError with flyctl\'s Error line', async () => {
    const fx = await setUpFly({
      apps: { hotdash: app },
      faults: [{ command: 'status', mode: 'exit', stderr: 'Error: failed to get app: unauthorized\nCheck your token' }],
    });
    const err = (await rejection(fx.flyctl().run('read', STATUS))) as FlyCommandError;

    expect(err).toBeInstanceOf(FlyCommandError);
    expect(err.code).toBe('fly_command_failed');
    expect(err.message).toBe('fly status failed: failed to get app: unauthorized');
    expect(err.exitCode).toBe(1);
    expect(err.timedOut).toBe(false);
    expect(err.stderrTail).toBe('Error: failed to get app: unauthorized\nCheck your token');
    expect(err.retryable).toBe(false);
    expect(fx.logs.lines.find((l) => l.adapter === 'flyctl')).toMatchObject({ status: 1, stderr: expect.stringContaining('unauthorized') });
  });

  it('names exit 126 and 127 when flyctl printed no Error line', async () => {
    const fx = await setUpFly({
      apps: { hotdash: app },
      faults: [
        { command: 'status', mode: 'exit', exitCode: 126, stderr: 'context deadline exceeded' },
        { command: 'status', mode: 'exit', exitCode: 127, stderr: '' },
      ],
    });
    const deadline = (await rejection(fx.flyctl().run('read', STATUS))) as FlyCommandError;
    const interrupted = (await rejection(fx.flyctl().run('read', STATUS))) as FlyCommandError;

    expect(deadline.message).toBe("fly status stopped at flyctl's own deadline (exit 126)");
    expect(deadline.retryable).toBe(true);
    expect(interrupted.message).toBe('fly status was interrupted inside flyctl (exit 127)');
  });

  it('kills the whole process tree when a call outlives its timeout', async () => {
    const fx = await setUpFly({ apps: { hotdash: app }, faults: [{ command: 'status', mode: 'hang' }] });
    const started = Date.now();
    const err = (await rejection(fx.flyctl({ timeouts: { readMs: 500, logsMs: 500, deployMs: 500 } }).run('read', STATUS))) as TimeoutError;
    const children = await fx.childPids();
    killAfterTest(children);

    expect(err).toBeInstanceOf(TimeoutError);
    expect(err.message).toBe('flyctl did not finish in time');
    expect(err.service).toBe('fly');
    expect(err.timeoutMs).toBe(500);
    expect(err.fields).toMatchObject({ argv: STATUS, kind: 'read', timeoutMs: 500 });
    expect(Date.now() - started).toBeLessThan(5000);
    // The simulator's child ignores SIGTERM: only the group SIGKILL after the grace period ends it.
    expect(children).toHaveLength(1);
    expect(await goneWithin(children, 1000)).toBe(true);
  });

  it('kills the tree and reports fly_cancelled when the signal aborts', async () => {
    const fx = await setUpFly({ apps: { hotdash: app }, faults: [{ command: 'status', mode: 'hang' }] });
    const controller = new AbortController();
    const pending = fx.flyctl().run('read', STATUS, { signal: controller.signal });
    setTimeout(() => controller.abort(), 400);
    const err = (await rejection(pending)) as FlyCommandError;
    const children = await fx.childPids();
    killAfterTest(children);

    expect(err).toMatchObject({ code: 'fly_cancelled', message: 'flyctl call was cancelled', timedOut: false });
    expect(await goneWithin(children, 1000)).toBe(true);
  });

  it('does not spawn when the signal is already aborted, and refuses a signal on deploys', async () => {
    const fx = await setUpFly({ apps: { hotdash: app } });
    const err = await rejection(fx.flyctl().run('read', STATUS, { signal: AbortSignal.abort() }));
    expect(err).toMatchObject({ code: 'fly_cancelled' });
    const deploy = await rejection(fx.flyctl().run('deploy', ['deploy'], { signal: new AbortController().signal }));
    expect(deploy).toBeInstanceOf(InvariantError);
    expect(await fx.calls()).toEqual([]);
  });

  it('keeps secrets out of errors, stderr tails and logs', async () => {
    const canary = 'canary-secret-4f9a2c71';
    const redactor = new Redactor();
    redactor.addFromEnv({ OPSBEAT_CANARY_SECRET: canary });
    const logs = captureLogs({ redactor });
    const fx = await setUpFly({
      apps: { hotdash: app },
      logs,
      parentEnv: { OPSBEAT_CANARY_SECRET: canary },
      faults: [{ command: 'status', mode: 'exit', stderr: `Error: bad token \${FLY_API_TOKEN} near ${canary}\nraw ${canary}` }],
    });
    const err = (await rejection(fx.flyctl().run('read', STATUS))) as FlyCommandError;

    expect(err.message).toBe('fly status failed: bad token [REDACTED] near [REDACTED]');
    expect(err.stderrTail).toBe('Error: bad token [REDACTED] near [REDACTED]\nraw [REDACTED]');
    const everything = [err.message, err.details, err.stderrTail, JSON.stringify(err.fields), ...logs.raw].join('\n');
    expect(everything).not.toContain(canary);
    expect(everything).not.toContain('fm2_test-token-value-0001');
    expect(everything).not.toContain(TEST_TOKEN);
    const [call] = await fx.calls();
    expect(call!.envNames).not.toContain('OPSBEAT_CANARY_SECRET');
  });

  it('reports a binary that cannot be started', async () => {
    const fx = await setUpFly({ apps: { hotdash: app } });
    const err = await rejection(fx.flyctl({ bin: path.join(fx.dir, 'no-such-flyctl') }).run('read', STATUS));
    expect(err).toMatchObject({ code: 'fly_not_started', message: 'flyctl could not be started', fields: { reason: 'ENOENT' } });
  });

  it('stops a call whose output exceeds the buffer', async () => {
    const fx = await setUpFly({ apps: { hotdash: app }, faults: [{ command: 'status', mode: 'garbage', stdout: 'x'.repeat(50_000) }] });
    const err = await rejection(fx.flyctl({ maxBuffer: 1000 }).run('read', STATUS));
    expect(err).toMatchObject({ code: 'fly_output_too_large', message: 'flyctl printed more output than opsbeat accepts' });
  });

  it('builds itself from config and env, preferring FLY_API_TOKEN', async () => {
    const fx = await setUpFly({ apps: { hotdash: app } });
    const { logger, redactor } = captureLogs();
    const flyctl = Flyctl.create(
      { bin: 'flyctl', org: undefined, metricsUrl: undefined, configDir: fx.configDir, timeouts: { readMs: 1, logsMs: 2, deployMs: 3 } },
      { FLY_API_TOKEN: 'fm2_from-env-token', FLY_ACCESS_TOKEN: 'fm2_other-token' },
      logger,
      redactor,
    );
    expect(flyctl).toBeInstanceOf(Flyctl);
    expect(redactor.redact('x fm2_from-env-token y')).toBe('x [REDACTED] y');
  });
});
