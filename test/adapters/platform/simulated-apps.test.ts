import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpProbes } from '../../../src/adapters/probes/http-probes.js';
import { buildSimulatedApp, startSimulatedApps, type SimulatedAppsServer } from '../../../src/demo/simulated-apps.js';
import { captureLogs } from '../../helpers/capture-logs.js';
import { setUpFly } from '../../fakes/flyctl/fly-fixture.js';

const V1 = 'registry.fly.io/hotdash:v1';
const BAD = 'registry.fly.io/hotdash:bad';

const servers: SimulatedAppsServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

describe('simulated apps', () => {
  it('answer by the image live on the machines, so deploys and rollbacks change what probes see', async () => {
    const fx = await setUpFly({
      apps: { hotdash: buildSimulatedApp({ name: 'hotdash', image: V1 }) },
      images: { [BAD]: { health: 503, smoke: { '/api/tiles': 500 } } },
    });
    const apps = await startSimulatedApps({ stateFile: fx.stateFile });
    servers.push(apps);
    const probes = new HttpProbes({ logger: captureLogs().logger });
    const platform = fx.platform();
    const health = (): Promise<string> =>
      probes.check(`${apps.url}/hotdash/health`, { status: 200, maxMs: 2000 }).then((r) => r.summary.replace(/\d+ ms/, 'N ms'));

    expect(await health()).toBe('HTTP 200 in N ms');
    await platform.deploy({ app: 'hotdash', image: BAD, strategy: 'rolling', waitTimeoutMs: 60_000, env: {} });
    expect(await health()).toBe('HTTP 503 in N ms (expected 200)');
    expect((await request(`${apps.url}/hotdash/api/tiles`)).statusCode).toBe(500);
    await platform.deploy({ app: 'hotdash', image: V1, strategy: 'immediate', waitTimeoutMs: 60_000, env: {} });
    expect(await health()).toBe('HTTP 200 in N ms');
    expect((await request(`${apps.url}/nope/health`)).statusCode).toBe(404);
  });
});
