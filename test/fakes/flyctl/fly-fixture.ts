import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Flyctl, type FlyctlOptions } from '../../../src/adapters/platform/flyctl.js';
import { FlyPlatform } from '../../../src/adapters/platform/fly-platform.js';
import {
  FLYCTL_SIMULATOR,
  SIMULATOR_ENV,
  readSimulatorCalls,
  readSimulatorState,
  updateSimulatorState,
  type SimulatedApp,
  type SimulatorCall,
  type SimulatorState,
} from '../../../src/demo/simulated-apps.js';
import { captureLogs, type CapturedLogs } from '../../helpers/capture-logs.js';
import { tmpDir } from '../../helpers/tmp-dir.js';

export const TEST_TOKEN = 'FlyV1 fm2_test-token-value-0001';

export interface FlyFixture {
  dir: string;
  stateFile: string;
  callsFile: string;
  configDir: string;
  logs: CapturedLogs;
  /** The env opsbeat "runs in": PATH, HOME, the simulator's files and whatever the test adds. */
  parentEnv: Record<string, string | undefined>;
  flyctl(overrides?: Partial<FlyctlOptions>): Flyctl;
  platform(overrides?: Partial<FlyctlOptions>): FlyPlatform;
  calls(): Promise<Extract<SimulatorCall, { kind: 'call' }>[]>;
  /** Pids of the children that hanging calls started. */
  childPids(): Promise<number[]>;
  state(): Promise<SimulatorState>;
  update(change: (state: SimulatorState) => void): Promise<void>;
}

export interface FlyFixtureOptions {
  apps: Record<string, SimulatedApp>;
  images?: SimulatorState['images'];
  faults?: SimulatorState['faults'];
  deployDelayMs?: number;
  parentEnv?: Record<string, string>;
  logs?: CapturedLogs;
}

/** A simulator state in a fresh temp dir, and the real adapter pointed at the simulator. */
export async function setUpFly(options: FlyFixtureOptions): Promise<FlyFixture> {
  const dir = await tmpDir('opsbeat-fly-');
  const stateFile = path.join(dir, 'fly-state.json');
  const callsFile = path.join(dir, 'fly-calls.jsonl');
  const configDir = path.join(dir, 'fly-config');
  const state: SimulatorState = {
    deployDelayMs: options.deployDelayMs ?? 20,
    apps: options.apps,
    images: options.images ?? {},
    faults: options.faults ?? [],
  };
  await writeFile(stateFile, JSON.stringify(state, null, 2));
  const logs = options.logs ?? captureLogs();
  const parentEnv: Record<string, string | undefined> = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    FLY_SIMULATOR_STATE: stateFile,
    FLY_SIMULATOR_CALLS: callsFile,
    ...options.parentEnv,
  };
  const flyctl = (overrides: Partial<FlyctlOptions> = {}): Flyctl =>
    new Flyctl({
      bin: FLYCTL_SIMULATOR,
      configDir,
      token: TEST_TOKEN,
      logger: logs.logger,
      redactor: logs.redactor,
      timeouts: { readMs: 10_000, logsMs: 10_000, deployMs: 10_000 },
      cwd: path.join(configDir, 'cwd'),
      parentEnv,
      passEnv: [...SIMULATOR_ENV],
      killGraceMs: 300,
      ...overrides,
    });
  return {
    dir,
    stateFile,
    callsFile,
    configDir,
    logs,
    parentEnv,
    flyctl,
    platform: (overrides) => new FlyPlatform(flyctl(overrides)),
    calls: async () => (await readSimulatorCalls(callsFile)).filter((c) => c.kind === 'call'),
    childPids: async () =>
      (await readSimulatorCalls(callsFile)).flatMap((c) => (c.kind === 'child' ? [c.childPid] : [])),
    state: () => readSimulatorState(stateFile),
    update: (change) => updateSimulatorState(stateFile, change),
  };
}
