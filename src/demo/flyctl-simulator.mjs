#!/usr/bin/env node
// A simulated Fly.io that opsbeat's real flyctl adapter runs as its flyctl binary (demo and tests).
// It speaks the subset of flyctl opsbeat uses, with the shapes of shared/reference/fly.md:
// status, releases, secrets list, logs --no-tail (all --json) and deploy --image.
// State: the JSON file named by FLY_SIMULATOR_STATE (types in simulated-apps.ts).
// Calls: one JSON line per invocation appended to FLY_SIMULATOR_CALLS, when set.
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { appendFileSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

const env = process.env;
const args = process.argv.slice(2);
const STALE_LOCK_MS = 5000;
const STRATEGIES = ['rolling', 'canary', 'bluegreen', 'immediate'];
// What a rendered machine's config carries for its service and checks.
const SERVICE = { protocol: 'tcp', internal_port: 8080, autostop: false, autostart: true, ports: [{ port: 443, handlers: ['tls', 'http'] }, { port: 80, handlers: ['http'] }] };
const CHECK = { type: 'http', interval: '15s', timeout: '2s', method: 'GET', path: '/health' };

// Flag name → key, per kind: values take an argument, bools do not, repeats collect NAME=VALUE.
const FLAGS = {
  app: { values: { '--app': 'app', '-a': 'app' } },
  json: { bools: { '--json': 'json', '-j': 'json' } },
  logs: { bools: { '--no-tail': 'noTail', '-n': 'noTail' } },
  deploy: {
    values: { '--image': 'image', '-i': 'image', '--strategy': 'strategy', '--wait-timeout': 'waitTimeout', '--deploy-retries': 'deployRetries' },
    bools: { '--yes': 'yes', '-y': 'yes', '--auto-confirm': 'yes' },
    repeats: { '--env': 'env', '-e': 'env' },
  },
};
const COMMANDS = {
  status: { words: 1, flags: [FLAGS.app, FLAGS.json], run: status },
  releases: { words: 1, flags: [FLAGS.app, FLAGS.json], run: releases },
  secrets: { words: 2, flags: [FLAGS.app, FLAGS.json], run: secrets },
  logs: { words: 1, flags: [FLAGS.app, FLAGS.json, FLAGS.logs], run: logs },
  deploy: { words: 1, flags: [FLAGS.app, FLAGS.deploy], run: deploy },
};

main().then(
  (code) => (process.exitCode = code),
  (err) => (process.exitCode = fail(`flyctl simulator: ${err instanceof Error ? err.message : String(err)}`, 3)),
);

async function main() {
  record({ kind: 'call', argv: args, at: new Date().toISOString(), pid: process.pid, cwd: process.cwd(), envNames: Object.keys(env).sort() });
  if (!env.FLY_ACCESS_TOKEN && !env.FLY_API_TOKEN) return fail("no access token available. Please login with 'flyctl auth login'");
  const name = args[0];
  const command = COMMANDS[name];
  if (!command || (name === 'secrets' && args[1] !== 'list')) return fail(`unknown command "${args.slice(0, 2).join(' ')}" for "flyctl"`);
  const flags = parseFlags(args.slice(command.words), command.flags);
  if (typeof flags === 'string') return fail(flags);
  if (!env.FLY_SIMULATOR_STATE) return fail('FLY_SIMULATOR_STATE is not set');
  if (name !== 'deploy' && !flags.json) return fail('the simulator only prints --json output');
  if (!flags.app) return fail('the config for your app is missing an app name, add an app field to the fly.toml file or specify with the -a flag');

  const pending = readState().faults.some((f) => f.command === name);
  const fault = pending ? await withState((state) => takeFault(state, name)) : undefined;
  if (fault) {
    const outcome = await applyFault(fault, name);
    if (outcome !== 'continue') return outcome;
  }
  const state = readState();
  const app = state.apps[flags.app];
  if (!app) return fail(`Could not find App "${flags.app}"`);
  return command.run(flags, app, state);
}

// ---- commands -------------------------------------------------------------------------------

function status(flags, app) {
  const complete = app.releases.filter((r) => r.status === 'complete').map((r) => r.version);
  printJson({
    ID: flags.app, Name: flags.app, Deployed: app.machines.length > 0,
    Status: app.machines.length > 0 ? 'deployed' : 'pending',
    Hostname: app.hostname ?? `${flags.app}.fly.dev`,
    Version: complete.length > 0 ? Math.max(...complete) : 0,
    AppURL: `https://${app.hostname ?? `${flags.app}.fly.dev`}`,
    Organization: { ID: 'org-sim', InternalNumericID: '1', Name: '', Slug: app.org ?? 'personal', RawSlug: '', PaidPlan: false },
    PlatformVersion: 'machines',
    Machines: [...app.machines].sort((a, b) => (a.id < b.id ? 1 : -1)).map(renderMachine),
  });
  return 0;
}

function releases(_flags, app) {
  const list = [...app.releases].sort((a, b) => b.version - a.version).slice(0, 25);
  printJson(
    list.map((r) => ({
      ID: r.id, Version: r.version, Stable: r.status === 'complete', InProgress: r.status === 'running',
      Reason: '', Description: 'Release', Status: r.status, DeploymentStrategy: '', Metadata: null,
      User: { ID: 'user-sim', Name: '', Email: r.user ?? 'deployer@example.com', EnablePaidHobby: false },
      EvaluationID: '', CreatedAt: r.createdAt, ImageRef: r.imageRef,
    })),
  );
  return 0;
}

function secrets(_flags, app) {
  printJson((app.secrets ?? []).map((name) => ({ name, digest: digest(name), status: 'Deployed' })));
  return 0;
}

// `--no-tail` prints the first non-empty page and exits; with no lines flyctl keeps polling
// (reference 4.1), and without --no-tail it streams forever: both hang here.
async function logs(flags, app) {
  const page = (app.logs ?? []).slice(-100);
  for (const line of page) {
    const { timestamp, message, level, instance, region } = line;
    const meta = { Instance: instance, Region: region, Event: { Provider: 'app' }, HTTP: null, Error: null, URL: null };
    printJson({ timestamp, message, level, instance, region, meta });
  }
  if (page.length === 0 || !flags.noTail) return hang(false);
  return 0;
}

async function deploy(flags, app, initial) {
  const image = flags.image;
  if (!image) return fail('the simulator deploys existing images only: pass --image');
  const strategy = flags.strategy ?? 'rolling';
  if (!STRATEGIES.includes(strategy)) return fail(`unsupported deployment strategy '${strategy}'`);
  if (flags.waitTimeout !== undefined && !/^(\d+|(\d+(\.\d+)?(ms|s|m|h))+)$/.test(flags.waitTimeout)) {
    return fail(`invalid argument "${flags.waitTimeout}" for "--wait-timeout" flag: time: invalid duration "${flags.waitTimeout}"`);
  }
  if (flags.deployRetries !== undefined && !/^(\d+|auto)$/.test(flags.deployRetries)) {
    return fail(`invalid argument "${flags.deployRetries}" for "--deploy-retries" flag`);
  }
  const behaviour = initial.images?.[image] ?? {};
  if (behaviour.missing) return fail(`could not find image "${image}"`);

  // Like flyctl: the release exists (status running) before any machine is touched.
  const release = await withState((state) => {
    const target = state.apps[flags.app];
    const version = Math.max(0, ...target.releases.map((r) => r.version)) + 1;
    const created = { id: releaseId(), version, status: 'running', imageRef: image, createdAt: new Date().toISOString(), user: 'opsbeat@example.com' };
    target.releases.push(created);
    return created;
  });
  out(`==> Verifying app config\n--> Verified app config\n==> Building image\nSearching for image '${image}' remotely...\nimage found: img_${digest(image).slice(0, 12)}\n\nWatch your deployment at https://fly.io/apps/${flags.app}/monitoring\n\n-------\nUpdating existing machines in '${flags.app}' with ${strategy} strategy\n`);
  await sleep(initial.deployDelayMs ?? 200);

  if (behaviour.deploy === 'hang') return hang(true);
  if (behaviour.deploy === 'fail') {
    await withState((state) => setReleaseStatus(state, flags.app, release.version, 'failed'));
    return fail(behaviour.failMessage ?? 'release command failed - aborting deployment. error release_command machine exited with non-zero status of 1');
  }
  const checks = behaviour.machineChecks ?? 'passing';
  const healthy = checks === 'passing' || strategy === 'immediate';
  const failedMachine = await withState((state) => {
    const target = state.apps[flags.app];
    const machines = [...target.machines].sort((a, b) => (a.id < b.id ? -1 : 1));
    const serving = machines.filter((m) => !m.standby);
    // rolling updates the first machine alone and stops there; canary and bluegreen destroy
    // their temporary machines; immediate updates everything without waiting (reference 2.2).
    const updated = healthy ? machines : strategy === 'rolling' ? serving.slice(0, 1) : [];
    for (const m of updated) {
      Object.assign(m, { image, releaseVersion: release.version, state: m.standby ? m.state : 'started', checkStatus: checks, updatedAt: new Date().toISOString() });
      m.env = { ...(m.env ?? {}), ...flags.env };
    }
    if (healthy) appendDeployLogs(target, updated.filter((m) => !m.standby), behaviour.logErrors ?? []);
    setReleaseStatus(state, flags.app, release.version, healthy ? 'complete' : 'failed');
    return healthy ? undefined : (updated[0]?.id ?? machineId());
  });
  if (failedMachine) return fail(`timeout reached waiting for health checks to pass for machine ${failedMachine}`);
  out(`Finished deploying\n\nVisit your newly deployed app at https://${app.hostname ?? `${flags.app}.fly.dev`}/\n`);
  if (env.FLY_EMIT_RELEASE_JSON) out(`${JSON.stringify({ id: release.id, version: release.version, image_ref: image })}\n`);
  return 0;
}

// ---- faults ---------------------------------------------------------------------------------

function takeFault(state, command) {
  const faults = state.faults ?? [];
  const index = faults.findIndex((f) => f.command === command);
  if (index < 0) return undefined;
  const fault = faults[index];
  const times = (fault.times ?? 1) - 1;
  if (times <= 0) faults.splice(index, 1);
  else faults[index] = { ...fault, times };
  return fault;
}

async function applyFault(fault, command) {
  switch (fault.mode) {
    case 'slow':
      await sleep(fault.delayMs ?? 1000);
      return 'continue';
    case 'hang':
      return hang(true);
    case 'garbage':
      out(expand(fault.stdout ?? (command === 'deploy' ? '{"id":42,"version":"seven","image_ref":false}\n' : '<html><body>502 Bad Gateway</body></html>\n')));
      return 0;
    case 'exit':
      if (fault.stdout) out(expand(fault.stdout));
      process.stderr.write(`${expand(fault.stderr ?? 'Error: simulated failure')}\n`);
      return fault.exitCode ?? 1;
    default:
      throw new Error(`unknown fault mode ${fault.mode}`);
  }
}

/** `${NAME}` in a fault's text is replaced from this process's env (to prove what reaches flyctl). */
function expand(text) {
  return text.replace(/\$\{([A-Z0-9_]+)\}/g, (_, name) => env[name] ?? '');
}

/**
 * Never finish, like a wedged flyctl. With `withChild`, also start a child that ignores SIGTERM,
 * so a caller must kill the whole process group (and escalate) to get rid of it.
 */
function hang(withChild) {
  if (withChild) {
    const child = spawn(process.execPath, ['-e', "process.on('SIGTERM', () => {}); setInterval(() => {}, 1 << 30);"], { stdio: 'ignore' });
    record({ kind: 'child', at: new Date().toISOString(), pid: process.pid, childPid: child.pid });
  }
  // flyctl traps SIGTERM/SIGINT, cancels its context and exits 127 (reference 1.5).
  process.on('SIGTERM', () => process.exit(127));
  process.on('SIGINT', () => process.exit(127));
  setInterval(() => {}, 1 << 30);
  return new Promise(() => {});
}

// ---- rendering ------------------------------------------------------------------------------


function renderMachine(m) {
  const services = m.checkNames.filter((n) => n.startsWith('servicecheck-'));
  const topLevel = m.checkNames.filter((n) => !n.startsWith('servicecheck-'));
  const machine = {
    id: m.id, name: m.name, state: m.state, region: m.region,
    image_ref: imageRef(m.image),
    instance_id: digest(`${m.id}:${m.image}:${m.releaseVersion}`).slice(0, 26).toUpperCase(),
    version: digest(`${m.image}:${m.releaseVersion}`).slice(0, 26).toUpperCase(),
    private_ip: `fdaa:0:1:a7b:${m.id.slice(0, 4)}::2`,
    created_at: m.createdAt ?? m.updatedAt, updated_at: m.updatedAt,
    config: {
      init: {},
      image: m.image,
      metadata: {
        fly_flyctl_version: '0.4.87', fly_platform_version: 'v2', fly_process_group: m.processGroup,
        fly_release_id: `sim-${m.releaseVersion}`, fly_release_version: String(m.releaseVersion),
      },
      env: m.env ?? {},
      guest: { cpu_kind: 'shared', cpus: 1, memory_mb: 256 },
      services: services.length === 0 ? [] : [{ ...SERVICE, checks: services.map(() => ({ ...CHECK, grace_period: '5s' })) }],
      ...(topLevel.length > 0 ? { checks: Object.fromEntries(topLevel.map((n) => [n, { ...CHECK, port: 8080 }])) } : {}),
      ...(m.standby ? { standbys: ['standby-for-primary'] } : {}),
      stop_config: { signal: 'SIGTERM', timeout: '30s' },
      restart: { policy: 'on-failure', max_retries: 10 },
    },
    events: [{ type: 'start', status: 'started', source: 'flyd', timestamp: Date.parse(m.updatedAt) || 0 }],
    host_status: m.hostStatus ?? 'ok', cordoned: false,
  };
  if (m.checkNames.length > 0 && m.checkStatus) {
    const output = m.checkStatus === 'passing' ? 'Success' : 'GET /health: 503 Service Unavailable';
    machine.checks = m.checkNames.map((name) => ({ name, status: m.checkStatus, output, updated_at: m.updatedAt }));
  }
  return machine;
}

function imageRef(image) {
  const at = image.indexOf('@');
  const withoutDigest = at >= 0 ? image.slice(0, at) : image;
  const slash = withoutDigest.indexOf('/');
  const first = slash >= 0 ? withoutDigest.slice(0, slash) : '';
  const hasRegistry = first.includes('.') || first.includes(':');
  const rest = hasRegistry ? withoutDigest.slice(slash + 1) : withoutDigest;
  const colon = rest.lastIndexOf(':');
  return {
    registry: hasRegistry ? first : 'docker.io',
    repository: colon >= 0 ? rest.slice(0, colon) : rest,
    tag: colon >= 0 ? rest.slice(colon + 1) : 'latest',
    digest: at >= 0 ? image.slice(at + 1) : `sha256:${createHash('sha256').update(image).digest('hex')}`,
    labels: {},
  };
}

function appendDeployLogs(app, machines, errors) {
  app.logs ??= [];
  const line = (level, message, m) => ({ timestamp: nanoTime(), level, message, instance: m.id, region: m.region });
  for (const m of machines) app.logs.push(line('info', 'Listening on 0.0.0.0:8080', m));
  if (machines[0]) for (const message of errors) app.logs.push(line('error', message, machines[0]));
  app.logs = app.logs.slice(-500);
}

function setReleaseStatus(state, appName, version, status) {
  const release = state.apps[appName].releases.find((r) => r.version === version);
  if (release) release.status = status;
}

// ---- plumbing -------------------------------------------------------------------------------

function parseFlags(list, specs) {
  const [values, bools, repeats] = ['values', 'bools', 'repeats'].map((kind) => Object.assign({}, ...specs.map((s) => s[kind])));
  const flags = { env: {} };
  for (let i = 0; i < list.length; i++) {
    const [flag, inline] = list[i].includes('=') && list[i].startsWith('-') ? splitOnce(list[i], '=') : [list[i], undefined];
    if (bools[flag]) {
      flags[bools[flag]] = inline === undefined ? true : inline !== 'false';
      continue;
    }
    const key = values[flag] ?? repeats[flag];
    if (!key) return flag.startsWith('-') ? `unknown flag: ${flag}` : `unexpected argument "${flag}"`;
    const value = inline ?? list[++i];
    if (value === undefined) return `flag needs an argument: ${flag}`;
    if (values[flag]) flags[key] = value;
    else {
      const [name, v] = splitOnce(value, '=');
      if (v === undefined) return `invalid argument "${value}" for "${flag}" flag: expected NAME=VALUE`;
      flags.env[name] = v;
    }
  }
  return flags;
}

function splitOnce(text, separator) {
  const at = text.indexOf(separator);
  return at < 0 ? [text, undefined] : [text.slice(0, at), text.slice(at + 1)];
}

function readState() {
  const state = JSON.parse(readFileSync(env.FLY_SIMULATOR_STATE, 'utf8'));
  state.apps ??= {};
  state.images ??= {};
  state.faults ??= [];
  return state;
}

/** Read-modify-write under a mkdir lock; the write is a temp file renamed into place. */
async function withState(change) {
  const file = env.FLY_SIMULATOR_STATE;
  const lock = `${file}.lock`;
  const deadline = Date.now() + 3 * STALE_LOCK_MS;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch (err) {
      if (err.code !== 'EEXIST') throw err;
      if (isStale(lock)) rmSync(lock, { recursive: true, force: true });
      else if (Date.now() > deadline) throw new Error('the state file stays locked');
      else await sleep(5 + Math.random() * 20);
    }
  }
  try {
    const state = readState();
    const result = change(state);
    const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    writeFileSync(temp, `${JSON.stringify(state, null, 2)}\n`);
    renameSync(temp, file);
    return result;
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

function isStale(lock) {
  try {
    return Date.now() - statSync(lock).mtimeMs > STALE_LOCK_MS;
  } catch {
    return false; // just released
  }
}

function record(entry) {
  if (env.FLY_SIMULATOR_CALLS) appendFileSync(env.FLY_SIMULATOR_CALLS, `${JSON.stringify(entry)}\n`);
}

/** Like flyctl: 4-space indentation and a trailing newline (reference 1.5). */
function printJson(value) {
  out(`${JSON.stringify(value, null, 4)}\n`);
}

function out(text) {
  process.stdout.write(text);
}

function fail(message, code = 1) {
  process.stderr.write(`Error: ${message}\n`);
  return code;
}

function digest(text) {
  return createHash('sha256').update(text).digest('hex');
}

function releaseId() {
  return `01J${randomBytes(15).toString('base64url').replace(/[-_]/g, 'X').toUpperCase().slice(0, 23)}`;
}

function machineId() {
  return randomBytes(7).toString('hex');
}

/** flyctl log timestamps carry nanoseconds. */
function nanoTime() {
  return new Date().toISOString().replace('Z', '000000Z');
}
