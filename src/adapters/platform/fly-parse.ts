import type { z } from 'zod';
import type { AppStatus, DeployResult, LogEntry, Machine, Release } from './types.js';
import { flyBadOutput } from './fly-errors.js';
import { parseJsonStream } from './json-stream.js';
import {
  FlyDeployRelease,
  FlyLogEntry,
  FlyReleases,
  FlySecrets,
  FlyStatus,
  type FlyMachine,
  type FlyRelease,
} from './schema.js';

/**
 * From flyctl's (already redacted) stdout to domain types. Anything that is not JSON or does not
 * match the schema becomes a BadResponseError naming the command, never a guess.
 */

export function parseStatus(argv: readonly string[], stdout: string, app: string): AppStatus {
  const status = validate(argv, stdout, FlyStatus, parseJson(argv, stdout));
  return {
    app: status.Name || app,
    deployed: status.Deployed ?? false,
    version: status.Version ?? 0,
    ...(status.Hostname ? { hostname: status.Hostname } : {}),
    machines: (status.Machines ?? []).map(toMachine),
  };
}

export function parseReleases(argv: readonly string[], stdout: string): Release[] {
  const releases = validate(argv, stdout, FlyReleases, parseJson(argv, stdout)) ?? [];
  return releases.map(toRelease).sort((a, b) => b.version - a.version);
}

export function parseSecretNames(argv: readonly string[], stdout: string): string[] {
  return (validate(argv, stdout, FlySecrets, parseJson(argv, stdout)) ?? []).map((s) => s.name);
}

/** The last `limit` entries, oldest first (flyctl prints a page in time order). */
export function parseLogs(argv: readonly string[], stdout: string, limit: number): LogEntry[] {
  let values: unknown[];
  try {
    values = parseJsonStream(stdout);
  } catch (err) {
    throw flyBadOutput(argv, [`stdout is not a stream of JSON objects (${(err as Error).message})`], stdout);
  }
  const entries = values.map((value, index) => {
    const parsed = FlyLogEntry.safeParse(value);
    if (!parsed.success) throw flyBadOutput(argv, formatIssues(parsed.error, `[${index}]`), stdout);
    return toLogEntry(parsed.data);
  });
  const ordered = entries
    .map((entry, index) => ({ entry, index }))
    .sort((a, b) => a.entry.timestamp.getTime() - b.entry.timestamp.getTime() || a.index - b.index)
    .map(({ entry }) => entry);
  return ordered.slice(Math.max(0, ordered.length - limit));
}

/**
 * `fly deploy` prints human text plus, with FLY_EMIT_RELEASE_JSON, one JSON line with the new
 * release (reference 2.4). Older flyctl versions print none: then only the duration is known.
 */
export function parseDeployResult(argv: readonly string[], stdout: string, durationMs: number): DeployResult {
  for (const line of stdout.split('\n').reverse()) {
    const text = line.trim();
    if (!text.startsWith('{')) continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      continue;
    }
    if (!isReleaseLine(value)) continue;
    const release = validate(argv, text, FlyDeployRelease, value);
    return {
      ...(release.id ? { releaseId: release.id } : {}),
      ...(typeof release.version === 'number' ? { version: release.version } : {}),
      ...(release.image_ref ? { imageRef: release.image_ref } : {}),
      durationMs,
    };
  }
  return { durationMs };
}

function isReleaseLine(value: unknown): boolean {
  return typeof value === 'object' && value !== null && ('image_ref' in value || 'version' in value);
}

function parseJson(argv: readonly string[], stdout: string): unknown {
  try {
    return JSON.parse(stdout);
  } catch {
    throw flyBadOutput(argv, ['stdout is not valid JSON'], stdout);
  }
}

function validate<S extends z.ZodType>(argv: readonly string[], stdout: string, schema: S, value: unknown): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw flyBadOutput(argv, formatIssues(parsed.error), stdout);
  return parsed.data;
}

function formatIssues(error: z.ZodError, prefix = ''): string[] {
  return error.issues.slice(0, 10).map((issue) => {
    const where = prefix + issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
    return `${where || '(root)'}: ${issue.message}`;
  });
}

function toMachine(m: FlyMachine): Machine {
  const config = m.config;
  const metadata = config?.metadata ?? {};
  const version = Number.parseInt(metadata.fly_release_version ?? '', 10);
  const serviceChecks = (config?.services ?? []).reduce((sum, s) => sum + (s.checks?.length ?? 0), 0);
  return {
    id: m.id,
    state: m.state ?? 'unknown',
    ...(m.region ? { region: m.region } : {}),
    ...(config?.image ? { image: config.image } : {}),
    ...(Number.isFinite(version) ? { releaseVersion: version } : {}),
    ...(metadata.fly_process_group ? { processGroup: metadata.fly_process_group } : {}),
    ...(m.host_status ? { hostStatus: m.host_status } : {}),
    isStandby: (config?.standbys ?? []).length > 0,
    checks: (m.checks ?? []).map((c) => ({
      name: c.name ?? '',
      status: c.status ?? 'unknown',
      ...(c.output ? { output: c.output } : {}),
    })),
    checksConfigured: Object.keys(config?.checks ?? {}).length + serviceChecks,
  };
}

function toRelease(r: FlyRelease): Release {
  const user = r.User?.Email || r.User?.Name;
  return {
    id: r.ID ?? '',
    version: r.Version ?? 0,
    status: r.Status ?? 'unknown',
    imageRef: r.ImageRef ?? '',
    createdAt: toDate(r.CreatedAt),
    ...(user ? { user } : {}),
  };
}

function toLogEntry(e: z.output<typeof FlyLogEntry>): LogEntry {
  return {
    timestamp: toDate(e.timestamp),
    level: e.level || 'unknown',
    message: e.message ?? '',
    ...(e.instance ? { instance: e.instance } : {}),
    ...(e.region ? { region: e.region } : {}),
  };
}

/** A missing or unparseable time sorts first instead of making an Invalid Date that throws later. */
function toDate(text: string | null | undefined): Date {
  const date = new Date(text ?? '');
  return Number.isNaN(date.getTime()) ? new Date(0) : date;
}
