import { setTimeout as sleep } from 'node:timers/promises';
import type { HeartbeatDeps } from '../heartbeat/context.js';
import type { Machine } from '../adapters/platform/types.js';
import { describeWindows, isDeployWindowOpen } from '../gate/deploy-windows.js';
import type { CheckResult, PostCheck, PreCheck } from '../plan/types.js';
import { asOpsbeatError } from '../errors.js';
import { describeError } from './describe-error.js';
import { describeLock } from '../messages/chat-messages.js';

export type CheckDeps = Pick<HeartbeatDeps, 'platform' | 'probes' | 'inspectSchema' | 'secret' | 'now' | 'config' | 'ledger'> & {
  signal: AbortSignal;
};

const ERROR_LINE = /\b(error|fatal|panic|unhandled|exception|traceback)\b/i;

/** Pre-checks: read-only, before anything changes. */
export async function runPreCheck(check: PreCheck, deps: CheckDeps): Promise<CheckResult> {
  switch (check.kind) {
    case 'not_locked': {
      // A lock binds opsbeat exactly as it binds a person: an app lock, or a freeze of all apps.
      const locks = (await deps.ledger.activeLocks(deps.now())).filter((l) => l.scope === check.app || l.scope === 'all');
      const lock = locks.find((l) => l.scope === 'all') ?? locks[0];
      return lock ? fail(check.kind, 'locked', describeLock(lock)) : pass(check.kind, `${check.app} is not locked`);
    }
    case 'deploy_window': {
      if (isDeployWindowOpen(check.windows, deps.now())) return pass(check.kind, 'inside a deploy window');
      if (check.emergency) {
        return pass(check.kind, `outside the deploy windows; bypassed by the emergency label from ${check.emergency.by}`);
      }
      return fail(check.kind, 'outside_window', `outside the deploy windows (${describeWindows(check.windows)})`);
    }
    case 'app_healthy': {
      const status = await deps.platform.status(check.app, deps.signal);
      const serving = servingMachines(status.machines, check.processGroup);
      const started = serving.filter((m) => m.state === 'started');
      if (started.length === 0) return fail(check.kind, 'app_unhealthy', `${check.app} has no started ${check.processGroup} machine`);
      const critical = started.filter((m) => m.checks.some((c) => c.status === 'critical'));
      if (critical.length > 0) {
        return fail(check.kind, 'app_unhealthy', `${check.app}: checks critical on ${critical.map((m) => m.id).join(', ')}`);
      }
      const probe = await deps.probes.check(check.healthUrl, { status: 200, maxMs: check.maxMs }, deps.signal);
      if (!probe.ok) return fail(check.kind, 'app_unhealthy', `${check.app} health endpoint before deploy: ${probe.summary}`);
      return pass(check.kind, `${check.app}: ${started.length} machine${started.length === 1 ? '' : 's'} started, health ${probe.summary}`);
    }
    case 'rollback_target': {
      const [status, releases] = await Promise.all([
        deps.platform.status(check.app, deps.signal),
        deps.platform.releases(check.app, deps.signal),
      ]);
      const known = releases.some((r) => r.imageRef === check.image) || status.machines.some((m) => m.image === check.image);
      return known
        ? pass(check.kind, `rollback target ${check.image} (v${check.version})`)
        : fail(check.kind, 'no_rollback_target', `rollback target ${check.image} is no longer known to Fly`);
    }
    case 'secrets_present': {
      const present = new Set(await deps.platform.secretNames(check.app, deps.signal));
      const missing = check.names.filter((n) => !present.has(n));
      return missing.length === 0
        ? pass(check.kind, `secrets present: ${check.names.join(', ')}`)
        : fail(check.kind, 'secrets_missing', `missing secrets on ${check.app}: ${missing.join(', ')} (set them with fly secrets set)`);
    }
    case 'migrations_applied': {
      const url = deps.secret(check.databaseUrlEnv);
      if (!url) {
        return fail(check.kind, 'migrations_unverifiable', `environment variable ${check.databaseUrlEnv} is not set, so migrations cannot be verified`);
      }
      const result = await deps.inspectSchema(url, check.checks);
      return result.ok
        ? pass(check.kind, `migrations applied (${check.checks.length} check${check.checks.length === 1 ? '' : 's'})`)
        : fail(check.kind, 'migrations_not_applied', `migrations not applied: ${result.missing.join('; ')}`);
    }
  }
}

/** Post-checks: is the new release healthy? `since` is when the deploy started (for the log scan). */
export async function runPostCheck(check: PostCheck, deps: CheckDeps, since: Date): Promise<CheckResult> {
  switch (check.kind) {
    case 'machines': {
      const status = await deps.platform.status(check.app, deps.signal);
      const serving = servingMachines(status.machines, check.processGroup);
      if (serving.length === 0) return fail(check.kind, 'machines_unhealthy', `${check.app} has no ${check.processGroup} machines`);
      const problems = serving.flatMap((m) => machineProblems(m, check.image));
      return problems.length === 0
        ? pass(check.kind, `${serving.length} machine${serving.length === 1 ? '' : 's'} started on ${check.image}, checks passing`)
        : fail(check.kind, 'machines_unhealthy', problems.join('; '));
    }
    case 'health': {
      const probe = await deps.probes.check(check.url, { status: 200, maxMs: check.maxMs }, deps.signal);
      return probe.ok ? pass(check.kind, `health ${probe.summary}`) : fail(check.kind, 'health_failed', `health endpoint ${probe.summary}`);
    }
    case 'smoke': {
      const probe = await deps.probes.check(check.url, { status: check.status, maxMs: check.maxMs }, deps.signal);
      const path = new URL(check.url).pathname;
      return probe.ok ? pass(check.kind, `smoke ${path}: ${probe.summary}`) : fail(check.kind, 'smoke_failed', `smoke ${path}: ${probe.summary}`);
    }
    case 'log_scan': {
      const entries = (await deps.platform.recentLogs(check.app, check.lines * 3, deps.signal))
        .filter((e) => e.timestamp.getTime() >= since.getTime())
        .slice(0, check.lines);
      const errors = entries.filter((e) => ['error', 'fatal', 'critical'].includes(e.level.toLowerCase()) || ERROR_LINE.test(e.message));
      if (errors.length === 0) return pass(check.kind, `no error lines in ${entries.length} log line${entries.length === 1 ? '' : 's'} since the deploy`);
      const first = errors[0]!.message.slice(0, 200);
      return fail(check.kind, 'log_errors', `${errors.length} error line${errors.length === 1 ? '' : 's'} in the logs since the deploy, first: ${first}`);
    }
    case 'observe': {
      const until = deps.now().getTime() + check.durationMs;
      let probes = 0;
      while (deps.now().getTime() < until) {
        const probe = await deps.probes.check(check.url, { status: 200, maxMs: check.maxMs }, deps.signal);
        probes += 1;
        if (!probe.ok) return fail(check.kind, 'observe_failed', `health during extra observation: ${probe.summary}`);
        await sleep(Math.min(check.intervalMs, Math.max(0, until - deps.now().getTime())), undefined, { signal: deps.signal });
      }
      return pass(check.kind, `healthy through ${probes} probes of extra observation (dependency update)`);
    }
  }
}

/** Run checks in order and stop at the first failure: restoring service matters more than a full report. */
export async function runInOrder<C>(
  checks: readonly C[],
  run: (check: C) => Promise<CheckResult>,
  onResult?: (result: CheckResult) => Promise<void>,
): Promise<{ ok: boolean; results: CheckResult[]; failed?: CheckResult }> {
  const results: CheckResult[] = [];
  for (const check of checks) {
    const result = await run(check);
    results.push(result);
    await onResult?.(result);
    if (!result.ok) return { ok: false, results, failed: result };
  }
  return { ok: true, results };
}

export function servingMachines(machines: readonly Machine[], processGroup: string): Machine[] {
  return machines.filter((m) => !m.isStandby && (m.processGroup ?? processGroup) === processGroup && m.state !== 'destroyed');
}

function machineProblems(m: Machine, image: string): string[] {
  const problems: string[] = [];
  if (m.state !== 'started') problems.push(`machine ${m.id} is ${m.state}`);
  if (m.hostStatus && m.hostStatus !== 'ok') problems.push(`machine ${m.id} host is ${m.hostStatus}`);
  if (m.image !== image) problems.push(`machine ${m.id} runs ${m.image ?? 'an unknown image'}`);
  if (m.checksConfigured > 0 && m.checks.length === 0) problems.push(`machine ${m.id} has no check results yet`);
  for (const c of m.checks) if (c.status !== 'passing') problems.push(`machine ${m.id} check ${c.name} is ${c.status}`);
  return problems;
}

const SETTLING: readonly PostCheck['kind'][] = ['machines', 'health', 'smoke'];

/**
 * A release needs a moment to settle (machines report checks, endpoints warm up): machine, health
 * and smoke checks get `deploys.verifyAttempts` tries, `deploys.verifyRetryDelay` apart. A check
 * that cannot run (Fly's API fails or times out) is a failed try: it proves nothing, so it must
 * not leave a live release unverified. Only shutting down throws.
 */
export async function runPostCheckPatiently(check: PostCheck, deps: CheckDeps, since: Date): Promise<CheckResult> {
  const { verifyAttempts, verifyRetryDelayMs } = deps.config.deploys;
  const attempts = SETTLING.includes(check.kind) ? verifyAttempts : 1;
  let result = await runPostCheckOrSayWhyNot(check, deps, since);
  for (let attempt = 1; !result.ok && attempt < attempts; attempt++) {
    await sleep(verifyRetryDelayMs, undefined, { signal: deps.signal });
    result = await runPostCheckOrSayWhyNot(check, deps, since);
  }
  return result;
}

async function runPostCheckOrSayWhyNot(check: PostCheck, deps: CheckDeps, since: Date): Promise<CheckResult> {
  try {
    return await runPostCheck(check, deps, since);
  } catch (thrown) {
    if (deps.signal.aborted) throw thrown;
    const err = asOpsbeatError(thrown);
    return fail(check.kind, err.code, `${check.kind} check could not run: ${describeError(err)}`);
  }
}

function pass(kind: CheckResult['kind'], summary: string): CheckResult {
  return { kind, ok: true, summary };
}

function fail(kind: CheckResult['kind'], code: string, summary: string): CheckResult {
  return { kind, ok: false, code, summary };
}
