import type { FlyConfig } from '../../config/normalise.js';
import type { Logger } from '../../logging/logger.js';
import type { Redactor } from '../../logging/redactor.js';
import type { AppStatus, DeployRequest, DeployResult, LogEntry, Platform, Release } from './types.js';
import { flyBadArgument } from './fly-errors.js';
import { parseDeployResult, parseLogs, parseReleases, parseSecretNames, parseStatus } from './fly-parse.js';
import { Flyctl } from './flyctl.js';

/** Fly app names (as config validates them). */
const APP_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;
/**
 * Image references. Lowercase first character (so never a flag), then registry, path, tag and
 * digest characters. Upper case is allowed after it because Fly's own tags carry a ULID
 * (`registry.fly.io/app:deployment-01J…`), and those are exactly the rollback targets.
 */
const IMAGE_REF = /^[a-z0-9][a-zA-Z0-9.\-/:@_]*$/;
/** `--env NAME=VALUE`: fly.toml rules, and FLY_ names are the platform's. */
const ENV_NAME = /^(?!FLY_)[A-Za-z_][A-Za-z0-9_]*$/;

const STRATEGIES: readonly string[] = ['rolling', 'canary', 'bluegreen', 'immediate'];

/** Fly.io through flyctl: reads parse `--json` with zod, deploys run `fly deploy --image`. */
export class FlyPlatform implements Platform {
  readonly kind = 'fly' as const;

  constructor(private readonly flyctl: Flyctl) {}

  static create(
    fly: FlyConfig,
    env: Readonly<Record<string, string | undefined>>,
    logger: Logger,
    redactor: Redactor,
    extra: { passEnv?: readonly string[] } = {},
  ): FlyPlatform {
    return new FlyPlatform(Flyctl.create(fly, env, logger, redactor, extra));
  }

  async status(app: string, signal?: AbortSignal): Promise<AppStatus> {
    const argv = ['status', '--app', checkApp(app), '--json'];
    const { stdout } = await this.flyctl.run('read', argv, signalOption(signal));
    return parseStatus(argv, stdout, app);
  }

  async releases(app: string, signal?: AbortSignal): Promise<Release[]> {
    const argv = ['releases', '--app', checkApp(app), '--json'];
    const { stdout } = await this.flyctl.run('read', argv, signalOption(signal));
    return parseReleases(argv, stdout);
  }

  async secretNames(app: string, signal?: AbortSignal): Promise<string[]> {
    const argv = ['secrets', 'list', '--app', checkApp(app), '--json'];
    const { stdout } = await this.flyctl.run('read', argv, signalOption(signal));
    return parseSecretNames(argv, stdout);
  }

  /** `--no-tail` polls until the first non-empty page and never ends on an app without logs: the logs timeout bounds it. */
  async recentLogs(app: string, limit: number, signal?: AbortSignal): Promise<LogEntry[]> {
    if (!Number.isInteger(limit) || limit < 1) throw flyBadArgument('limit', limit);
    const argv = ['logs', '--app', checkApp(app), '--no-tail', '--json'];
    const { stdout } = await this.flyctl.run('logs', argv, signalOption(signal));
    return parseLogs(argv, stdout, limit);
  }

  /** No signal on purpose: see Platform.deploy. */
  async deploy(request: DeployRequest): Promise<DeployResult> {
    const argv = this.describeDeploy(request);
    const { stdout, durationMs } = await this.flyctl.run('deploy', argv);
    return parseDeployResult(argv, stdout, durationMs);
  }

  /**
   * Deliberately absent: `--remote-only` (nothing is built with `--image`), `--config` (the cwd
   * is empty, so flyctl uses the deployed app's config, which is what a rollback must reuse),
   * and `--detach` (waiting for health is the point). `--deploy-retries 0` because retries push
   * forward, never back (reference 2.1). `--env` pairs are sorted so a plan is stable.
   */
  describeDeploy(request: DeployRequest): string[] {
    const { app, image, strategy, waitTimeoutMs, env } = request;
    if (!IMAGE_REF.test(image)) throw flyBadArgument('image', image);
    if (!STRATEGIES.includes(strategy)) throw flyBadArgument('strategy', strategy);
    if (!Number.isFinite(waitTimeoutMs) || waitTimeoutMs <= 0) throw flyBadArgument('waitTimeoutMs', waitTimeoutMs);
    const envArgs = Object.keys(env)
      .sort()
      .flatMap((name) => {
        if (!ENV_NAME.test(name)) throw flyBadArgument('env', name);
        return ['--env', `${name}=${env[name]}`];
      });
    return [
      'deploy',
      '--app',
      checkApp(app),
      '--image',
      image,
      '--strategy',
      strategy,
      '--wait-timeout',
      `${Math.ceil(waitTimeoutMs / 1000)}s`,
      '--deploy-retries',
      '0',
      '--yes',
      ...envArgs,
    ];
  }
}

function checkApp(app: string): string {
  if (!APP_NAME.test(app)) throw flyBadArgument('app', app);
  return app;
}

function signalOption(signal: AbortSignal | undefined): { signal?: AbortSignal } {
  return signal ? { signal } : {};
}
