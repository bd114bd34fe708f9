import { once as eventOnce } from 'node:events';
import { runHeartbeat } from '../heartbeat/runner.js';
import { Scheduler, scheduleIntervalMs } from '../heartbeat/scheduler.js';
import type { HeartbeatTrigger } from '../heartbeat/ledger.js';
import { readStatusReport } from '../heartbeat/status-report.js';
import { GITHUB_WEBHOOK_PATH, githubWebhook } from '../http/github-webhook.js';
import { healthOf, type HealthState } from '../http/health.js';
import { startHttpServer, type HttpRoute } from '../http/server.js';
import { startRealtimeMentions } from '../mentions/realtime.js';
import { bootstrapAndWire } from './bootstrap-and-wire.js';
import type { Io } from './io.js';
import { guardProcess } from './process-guard.js';
import { reportError } from './report-error.js';

/**
 * `opsbeat start`: the daemon. A heartbeat at start-up (which also reconciles anything a previous
 * process left unfinished), then on the schedule. With several daemons on one Postgres, the one
 * holding the advisory lock runs heartbeats; the others stay healthy and idle.
 * SIGTERM/SIGINT: no new work starts, a running fly deploy finishes, then the process exits.
 */
export async function start(file: string, io: Io, signal: AbortSignal): Promise<number> {
  // stdout is the JSON log stream (Fly collects it): the console chat prints to stderr.
  const started = await bootstrapAndWire(file, io, { logTo: 'stdout', requireEnvironment: true, chatOut: io.stderr });
  if (typeof started === 'number') return started;
  const { config, logger, redactor, wiring } = started;
  const { deps, store } = wiring;
  const log = logger.child({ adapter: 'daemon' });
  const unguard = guardProcess(log);
  const health: HealthState = {
    startedAt: deps.now(),
    intervalMs: scheduleIntervalMs(config.schedule, config.timezone),
    role: 'leader',
    lastBeatAt: (await deps.ledger.lastFinishedHeartbeat())?.finishedAt ?? undefined,
  };

  // A wake-up that comes while a heartbeat runs starts one more right after it, not at the next tick.
  let wakeQueued = false;
  const wake = (): void => {
    if (scheduler.busy) wakeQueued = true;
    else void scheduler.trigger('webhook');
  };
  const beat = async (trigger: HeartbeatTrigger): Promise<void> => {
    try {
      await leadOrStandBy(trigger);
    } finally {
      if (wakeQueued && !signal.aborted) {
        wakeQueued = false;
        setImmediate(() => void scheduler.trigger('webhook'));
      }
    }
  };
  const leadOrStandBy = async (trigger: HeartbeatTrigger): Promise<void> => {
    if (!(await store.tryLead())) {
      if (health.role !== 'standby') log.info('another daemon runs the heartbeats; standing by');
      health.role = 'standby';
      health.lastBeatAt = deps.now();
      return;
    }
    health.role = 'leader';
    await runHeartbeat(deps, { trigger, signal, leading: true });
    health.lastBeatAt = deps.now();
  };
  const scheduler = new Scheduler({ schedule: config.schedule, timezone: config.timezone, log, beat });
  const webhookSecret = io.env.GITHUB_WEBHOOK_SECRET;
  const webhook: Record<string, HttpRoute> =
    config.board.kind === 'github' && webhookSecret
      ? { [GITHUB_WEBHOOK_PATH]: githubWebhook({ secret: webhookSecret, board: config.board.github, log, wake }) }
      : {};
  if (config.board.kind === 'github' && !webhookSecret) log.info('GitHub webhook off: GITHUB_WEBHOOK_SECRET is not set');

  let http;
  try {
    http = await startHttpServer({
      host: config.http.host,
      port: config.http.port,
      log,
      routes: {
        '/healthz': async () => {
          const h = healthOf(health, deps.now());
          return { status: h.ok ? 200 : 503, body: h.body };
        },
        '/status.json': async (request) =>
          request.remote === 'loopback'
            ? { status: 200, body: await readStatusReport(deps.ledger) }
            : { status: 403, body: { error: 'the status report is served on loopback only' } },
        ...webhook,
      },
    });
  } catch (err) {
    reportError(io, err, redactor);
    unguard();
    await wiring.close();
    return 1;
  }

  scheduler.start();
  log.info({ schedule: config.schedule, timezone: config.timezone, url: http.url }, 'opsbeat started');
  void scheduler.trigger('startup');
  // Socket Mode, when configured: mentions answered at once; step 8's polling stays the safety net.
  const realtime = await startRealtimeMentions(deps, signal);

  if (!signal.aborted) await eventOnce(signal, 'abort');
  log.info({ busy: scheduler.busy }, 'shutting down: no new work; waiting for the current heartbeat');
  await realtime?.stop();
  await scheduler.stop();
  await http.close();
  await wiring.close();
  log.info('opsbeat stopped');
  unguard();
  return 0;
}
