import { closeSync, openSync } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { execa } from 'execa';
import type { FlyConfig } from '../../config/normalise.js';
import { InvariantError } from '../../errors.js';
import type { Logger } from '../../logging/logger.js';
import type { Redactor } from '../../logging/redactor.js';
import {
  commandName,
  flyCancelled,
  flyCommandFailed,
  flyOutputTooLarge,
  flySpawnFailed,
  flyTimedOut,
  flyTokenMissing,
  type FlyCallKind,
} from './fly-errors.js';
import { ProcessGroup } from './process-group.js';

export type { FlyCallKind } from './fly-errors.js';

export interface FlyctlTimeouts {
  readMs: number;
  logsMs: number;
  deployMs: number;
}

export interface FlyctlOptions {
  /** The flyctl executable: a name on PATH or a path. */
  bin: string;
  /** FLY_CONFIG_DIR for every call, so opsbeat never shares `~/.fly` with a human. */
  configDir: string;
  /** Passed to flyctl as FLY_API_TOKEN; undefined makes every call fail before spawning. */
  token: string | undefined;
  logger: Logger;
  redactor: Redactor;
  timeouts: FlyctlTimeouts;
  /** An empty folder owned by opsbeat: flyctl must not pick up a stray fly.toml (reference 1.2). */
  cwd: string;
  /** opsbeat's own environment. Only PATH, HOME and the `passEnv` names are copied from it. */
  parentEnv: Readonly<Record<string, string | undefined>>;
  /** Extra variable names to copy into the child env (the simulator's state files in demo and tests). */
  passEnv?: readonly string[];
  /** Between SIGTERM and SIGKILL of the process group; default 5 s. */
  killGraceMs?: number;
  /** Per stream, in characters; default 8 MB. */
  maxBuffer?: number;
}

export interface FlyctlRunOptions {
  /** Cancels a read or logs call (the heartbeat's signal). Deploys refuse one. */
  signal?: AbortSignal;
  extraEnv?: Record<string, string>;
}

export interface FlyctlOutput {
  /** Already redacted. */
  stdout: string;
  /** Already redacted. */
  stderr: string;
  durationMs: number;
}

/** Variables opsbeat decides itself; a caller may not override them through `extraEnv`. */
const RESERVED_ENV = new Set(['FLY_API_TOKEN', 'FLY_ACCESS_TOKEN', 'FLY_CONFIG_DIR', 'FLY_REGION', 'PATH', 'HOME']);

/**
 * The only place that spawns flyctl (STYLE R13). Every call gets an argv array (no shell), a
 * clean environment, a timeout per kind that kills the whole process tree, a bounded buffer and
 * redacted output; failures become FlyCommandError or TimeoutError.
 */
export class Flyctl {
  private readonly options: Required<Omit<FlyctlOptions, 'token'>> & { token: string | undefined };
  private readonly log: Logger;
  private readonly exec;
  private cwdReady: Promise<unknown> | undefined;
  /** Read and logs calls still running, killed if opsbeat exits (execa's `cleanup` is off when detached). */
  private readonly live = new Set<ProcessGroup>();
  private readonly killLive = (): void => {
    for (const group of this.live) group.killNow();
  };

  constructor(options: FlyctlOptions) {
    this.options = {
      ...options,
      passEnv: options.passEnv ?? [],
      killGraceMs: options.killGraceMs ?? 5000,
      maxBuffer: options.maxBuffer ?? 8_000_000,
    };
    // execa's bound-options form: what every call shares. Never a shell; stdin closed, so
    // flyctl is non-interactive (reference 1.3); a detached child leads its own process group.
    this.exec = execa({
      cwd: options.cwd,
      extendEnv: false,
      stdin: 'ignore',
      detached: true,
      reject: false,
      encoding: 'utf8',
      maxBuffer: this.options.maxBuffer,
    });
    for (const name of this.options.passEnv) {
      if (RESERVED_ENV.has(name)) throw new InvariantError('passEnv may not name a variable opsbeat controls', { fields: { name } });
    }
    this.log = options.logger.child({ adapter: 'flyctl' });
    registerToken(options.redactor, options.token);
  }

  /** The real runner from config and the environment opsbeat was started with. */
  static create(
    fly: FlyConfig,
    env: Readonly<Record<string, string | undefined>>,
    logger: Logger,
    redactor: Redactor,
    extra: { passEnv?: readonly string[] } = {},
  ): Flyctl {
    return new Flyctl({
      bin: fly.bin,
      configDir: fly.configDir,
      token: env.FLY_API_TOKEN || env.FLY_ACCESS_TOKEN || undefined,
      logger,
      redactor,
      timeouts: fly.timeouts,
      cwd: path.join(fly.configDir, 'cwd'),
      parentEnv: env,
      passEnv: extra.passEnv ?? [],
    });
  }

  async run(kind: FlyCallKind, argv: readonly string[], options: FlyctlRunOptions = {}): Promise<FlyctlOutput> {
    const { redactor } = this.options;
    const safeArgv = argv.map((arg) => redactor.redact(arg));
    if (kind === 'deploy' && options.signal) {
      throw new InvariantError('a fly deploy is not cancellable; call it without a signal');
    }
    for (const name of Object.keys(options.extraEnv ?? {})) {
      if (RESERVED_ENV.has(name)) throw new InvariantError('extraEnv may not set a variable opsbeat controls', { fields: { name } });
    }
    if (!this.options.token) throw flyTokenMissing(safeArgv);
    if (options.signal?.aborted) throw flyCancelled(safeArgv);
    await this.ensureCwd();

    const timeoutMs = this.timeoutFor(kind);
    const { result, ended, durationMs, output } = await this.spawn(kind, argv, timeoutMs, options);
    const stdout = redactor.redact(output?.stdout ?? result.stdout ?? '');
    const stderr = redactor.redact(output?.stderr ?? result.stderr ?? '');
    const status = ended ?? (result.isMaxBuffer ? 'max_buffer' : (result.exitCode ?? result.signal ?? 'not_started'));
    this.log.debug(
      { cmd: safeArgv, kind, status, durationMs, ...(status === 0 ? {} : { stderr: stderr.slice(-8000) }) },
      `${commandName(safeArgv)} finished`,
    );

    if (ended === 'timeout') throw flyTimedOut(safeArgv, kind, timeoutMs, lastLines(stderr, 20));
    if (ended === 'cancel') throw flyCancelled(safeArgv);
    if (result.isMaxBuffer) throw flyOutputTooLarge(safeArgv, this.options.maxBuffer);
    if (result.exitCode === undefined && result.signal === undefined) {
      throw flySpawnFailed(safeArgv, this.options.bin, redactor.redact(result.code ?? 'unknown'));
    }
    if (result.exitCode !== 0) throw flyCommandFailed(safeArgv, kind, result.exitCode, result.signal, stderr);
    return { stdout, stderr, durationMs };
  }

  /**
   * Spawn in a process group of its own and stop the whole group on timeout or abort. Our own
   * timer and abort listener stand in for execa's `timeout` and `cancelSignal`, which would
   * signal only the leader; the returned promise settles only once the tree is gone.
   */
  private async spawn(kind: FlyCallKind, argv: readonly string[], timeoutMs: number, options: FlyctlRunOptions) {
    const started = performance.now();
    const files = kind === 'deploy' ? await this.outputFiles() : undefined;
    const subprocess = this.exec(this.options.bin, argv, {
      env: this.childEnv(kind, options.extraEnv),
      // execa passes an integer straight to spawn, so the child writes to the file itself; its
      // types only list the fds 3–9, hence the cast.
      ...(files ? { stdout: files.fds[0] as 3, stderr: files.fds[1] as 3 } : {}),
    });
    files?.closeInParent();
    const group = subprocess.pid === undefined ? undefined : new ProcessGroup(subprocess.pid, this.options.killGraceMs);
    let ended: 'timeout' | 'cancel' | undefined;
    const stop = (why: 'timeout' | 'cancel'): void => {
      ended ??= why;
      group?.terminate();
    };
    const timer = setTimeout(() => stop('timeout'), timeoutMs);
    const onAbort = (): void => stop('cancel');
    options.signal?.addEventListener('abort', onAbort, { once: true });
    this.track(kind, group, true);
    try {
      const result = await subprocess;
      // execa stopped reading and signalled the leader only; the rest of the tree goes too.
      if (result.isMaxBuffer) group?.terminate();
      await group?.settle();
      const output = files ? await files.read() : undefined;
      return { result, ended, durationMs: Math.round(performance.now() - started), output };
    } finally {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      this.track(kind, group, false);
    }
  }

  /**
   * A deploy writes to files, not pipes: if opsbeat dies mid-deploy, flyctl (in its own process
   * group) keeps going instead of dying on a broken pipe, and reconciliation finds its release.
   */
  private async outputFiles() {
    const dir = path.join(this.options.configDir, 'deploys');
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const base = path.join(dir, `deploy-${Date.now()}-${randomUUID().slice(0, 8)}`);
    const paths = [`${base}.out`, `${base}.err`] as const;
    const fds = paths.map((p) => openSync(p, 'w', 0o600)) as [number, number];
    const tail = async (file: string): Promise<string> => {
      const text = await readFile(file, 'utf8').catch(() => '');
      return text.length > this.options.maxBuffer ? text.slice(-this.options.maxBuffer) : text;
    };
    return {
      fds,
      closeInParent: () => fds.forEach((fd) => closeSync(fd)),
      read: async () => {
        const [stdout, stderr] = await Promise.all(paths.map(tail));
        await Promise.all(paths.map((p) => rm(p, { force: true })));
        return { stdout: stdout ?? '', stderr: stderr ?? '' };
      },
    };
  }

  private timeoutFor(kind: FlyCallKind): number {
    const { timeouts } = this.options;
    return kind === 'deploy' ? timeouts.deployMs : kind === 'logs' ? timeouts.logsMs : timeouts.readMs;
  }

  /** A clean env: nothing of opsbeat's own secrets, and never FLY_REGION (reference 1.4). */
  private childEnv(kind: FlyCallKind, extraEnv: Record<string, string> = {}): Record<string, string> {
    const { parentEnv, passEnv } = this.options;
    const env: Record<string, string> = {};
    for (const name of ['PATH', 'HOME', ...passEnv]) {
      const value = parentEnv[name];
      if (value !== undefined) env[name] = value;
    }
    Object.assign(env, extraEnv, {
      FLY_API_TOKEN: this.options.token ?? '',
      FLY_CONFIG_DIR: this.options.configDir,
      FLY_NO_UPDATE_CHECK: '1',
      FLY_NO_INCIDENTS_CHECK: '1',
      FLY_SEND_METRICS: '0',
      NO_COLOR: '1',
    });
    if (kind === 'deploy') env.FLY_EMIT_RELEASE_JSON = '1';
    return env;
  }

  private ensureCwd(): Promise<unknown> {
    this.cwdReady ??= Promise.all([
      mkdir(this.options.cwd, { recursive: true, mode: 0o700 }),
      mkdir(this.options.configDir, { recursive: true, mode: 0o700 }),
    ]).catch((err: unknown) => {
      this.cwdReady = undefined;
      throw err;
    });
    return this.cwdReady;
  }

  /** Deploys are left out on purpose: killing one half way leaves machines on mixed images. */
  private track(kind: FlyCallKind, group: ProcessGroup | undefined, running: boolean): void {
    if (kind === 'deploy' || !group) return;
    if (running) {
      if (this.live.size === 0) process.on('exit', this.killLive);
      this.live.add(group);
    } else {
      this.live.delete(group);
      if (this.live.size === 0) process.off('exit', this.killLive);
    }
  }
}

/** Register the token with the redactor, and each macaroon of a `FlyV1 a,b` token on its own. */
function registerToken(redactor: Redactor, token: string | undefined): void {
  if (!token) return;
  redactor.add(token);
  const bare = token.replace(/^(FlyV1|Bearer)\s+/i, '');
  redactor.add(bare);
  for (const part of bare.split(',')) redactor.add(part.trim());
}

function lastLines(text: string, count: number): string {
  return text.replace(/\s+$/, '').split('\n').slice(-count).join('\n');
}
