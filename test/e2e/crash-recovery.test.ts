import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createProcessSandbox,
  isAlive,
  readyTicket,
  waitForSimulatorCalls,
  waitUntil,
  type ProcessSandbox,
  type RunningProcess,
} from '../helpers/sandbox-process.js';
import { TicketBuilder } from '../helpers/ticket-builder.js';
import { FLYCTL_SIMULATOR } from '../../src/demo/simulated-apps.js';

// STYLE R14's e2e tier: opsbeat SIGKILLed in the middle of `fly deploy`, then started again.
// flyctl runs detached, in a process group of its own, writing to files: it outlives opsbeat
// and finishes the release, and the next heartbeat reconciles from what Fly says.

const IMAGE = 'registry.fly.io/hotdash-staging:3f9c2e1';
const PREVIOUS = 'registry.fly.io/hotdash-staging:b71c0de';

let box: ProcessSandbox | undefined;
afterEach(async () => {
  await box?.close();
  box = undefined;
});

/** Start `opsbeat once` and SIGKILL it (that process only) once flyctl is deploying. Returns flyctl's pid. */
async function killDuringDeploy(sandbox: ProcessSandbox): Promise<{ opsbeat: RunningProcess; flyctlPid: number }> {
  const opsbeat = sandbox.spawn(['once']);
  const call = await waitUntil(
    async () => {
      if (opsbeat.child.exitCode !== null) throw new Error(`opsbeat exited before deploying\n${opsbeat.stdout()}\n${opsbeat.stderr()}`);
      return (await sandbox.flyCalls()).find((c) => c.argv[0] === 'deploy');
    },
    { timeoutMs: 120_000, intervalMs: 50, what: 'the fly deploy call' },
  );
  expect(call.argv).toContain(IMAGE);
  // The `deploying` state is written before flyctl is spawned; a moment for the spawn to settle.
  await sleep(300);
  opsbeat.kill('SIGKILL');
  const exit = await opsbeat.exited;
  expect(exit.signal).toBe('SIGKILL');
  return { opsbeat, flyctlPid: call.pid };
}

function deploymentComments(ticketFile: string): string[] {
  return ticketFile.match(/<!-- opsbeat:deploy:dep-[0-9a-f-]+ -->/g) ?? [];
}

describe('SIGKILL in the middle of a deploy', { timeout: 600_000 }, () => {
  it('lets flyctl finish, and the next heartbeat verifies the release and closes the ticket once', async () => {
    box = await createProcessSandbox({ tickets: [readyTicket(new TicketBuilder('OPS-1').title('Cache tiles'))], deployDelayMs: 4000 });
    const { opsbeat, flyctlPid } = await killDuringDeploy(box);
    expect(opsbeat.stdout()).toContain('OPS-1 → hotdash-staging (registry.fly.io/hotdash-staging:3f9c2e1): deploying…');
    expect(opsbeat.stdout()).not.toContain('heartbeat hb-');
    // flyctl survived the kill of opsbeat and completes the release on its own.
    expect(isAlive(flyctlPid)).toBe(true);

    // The ledger, read once the killed process let go of it: the deployment was left `deploying`.
    const killed = await box.status();
    expect(killed.deployments).toEqual([expect.objectContaining({ ticket: 'OPS-1', image: IMAGE, state: 'deploying' })]);
    expect(killed.heartbeats).toEqual([expect.objectContaining({ trigger: 'once', finishedAt: null })]);

    await waitForSimulatorCalls(box.callsFile);
    const fly = await box.fly();
    expect(fly.apps['hotdash-staging']!.releases.at(-1)).toMatchObject({ version: 3, imageRef: IMAGE, status: 'complete' });
    expect(await box.ticketFile('OPS-1')).toMatch(/^status: rfp$/m);

    const again = await box.run(['once']);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^ {2}execute-deploys {2}done {5}1 succeeded$/m);
    expect(again.stdout).toMatch(/^ {2}close-tickets {4}done {5}1 closed$/m);

    const status = await box.status();
    expect(status.deployments).toHaveLength(1);
    expect(status.deployments[0]).toMatchObject({ ticket: 'OPS-1', image: IMAGE, state: 'succeeded', releaseVersion: 3, failure: null });
    // The killed heartbeat is closed as interrupted, not left "running" for ever.
    expect(status.heartbeats.map((h) => h.outcome)).toEqual(['ok', 'failed']);
    expect(status.heartbeats[1]).toMatchObject({ hb: killed.heartbeats[0]!.hb, summary: expect.stringMatching(/^interrupted: /) });
    const ticket = await box.ticketFile('OPS-1');
    expect(ticket).toMatch(/^status: closed$/m);
    expect(deploymentComments(ticket)).toHaveLength(1);
    expect(ticket).toContain(`**Deployed** to \`hotdash-staging\`: v3 \`${IMAGE}\``);
    expect(await box.deployedImages()).toEqual([IMAGE]);

    // And a third heartbeat leaves everything as it is.
    expect((await box.run(['once'])).code).toBe(0);
    expect(await box.deployedImages()).toEqual([IMAGE]);
    expect(deploymentComments(await box.ticketFile('OPS-1'))).toHaveLength(1);
  });

  it('rolls back on restart when the release it was killed during failed', async () => {
    box = await createProcessSandbox({
      tickets: [readyTicket(new TicketBuilder('OPS-1').title('Cache tiles'))],
      deployDelayMs: 4000,
      images: { [IMAGE]: { machineChecks: 'critical' } },
    });
    await killDuringDeploy(box);
    await waitForSimulatorCalls(box.callsFile);
    const failed = (await box.fly()).apps['hotdash-staging']!;
    expect(failed.releases.at(-1)).toMatchObject({ imageRef: IMAGE, status: 'failed' });
    // A rolling deploy stops after the first machine: the app runs two images now.
    expect(new Set(failed.machines.map((m) => m.image))).toEqual(new Set([IMAGE, PREVIOUS]));

    const again = await box.run(['once']);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^ {2}execute-deploys {2}done {5}1 rolled back$/m);
    expect(again.stdout).toMatch(/^ {2}close-tickets {4}done {5}1 moved to deploy-failed$/m);

    const status = await box.status();
    expect(status.deployments).toEqual([
      expect.objectContaining({ ticket: 'OPS-1', image: IMAGE, state: 'rolled_back', failure: 'deploy: Fly release v3 of registry.fly.io/hotdash-staging:3f9c2e1 ended failed' }),
    ]);
    expect(await box.deployedImages()).toEqual([IMAGE, PREVIOUS]);
    const restored = (await box.fly()).apps['hotdash-staging']!;
    expect(restored.machines.map((m) => m.image)).toEqual([PREVIOUS, PREVIOUS]);
    const ticket = await box.ticketFile('OPS-1');
    expect(ticket).toMatch(/^status: deploy-failed$/m);
    expect(deploymentComments(ticket)).toHaveLength(1);
  });

  it('does not deploy again while the release it was killed during is still running', async () => {
    box = await createProcessSandbox({
      tickets: [readyTicket(new TicketBuilder('OPS-1').title('Cache tiles'))],
      deployDelayMs: 25_000,
      configYaml: [`platform: { kind: fly, fly: { bin: ${JSON.stringify(FLYCTL_SIMULATOR)}, timeouts: { read: 20s, logs: 10s, deploy: 5m } } }`],
    });
    const { flyctlPid } = await killDuringDeploy(box);

    const during = await box.run(['once']);
    // Meaningful only while flyctl is still at work; 25 s is ample for one heartbeat.
    expect(isAlive(flyctlPid)).toBe(true);
    expect(during.code).toBe(0);
    expect(during.stdout).toMatch(/^ {2}gate-tickets {5}done {5}1 wait$/m);
    expect(during.stdout).toMatch(/^ {2}execute-deploys {2}done {5}nothing deployed$/m);
    expect((await box.status()).deployments.map((d) => d.state)).toEqual(['deploying']);
    expect(await box.deployedImages()).toEqual([IMAGE]);

    await waitForSimulatorCalls(box.callsFile, 120_000);
    const after = await box.run(['once']);
    expect(after.code).toBe(0);
    expect((await box.status()).deployments.map((d) => d.state)).toEqual(['succeeded']);
    expect(await box.deployedImages()).toEqual([IMAGE]);
    expect(await box.ticketFile('OPS-1')).toMatch(/^status: closed$/m);
  });
});
