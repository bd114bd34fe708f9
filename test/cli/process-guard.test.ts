import { describe, expect, it } from 'vitest';
import { fatalHandler, guardProcess, UNHANDLED_EXIT_CODE } from '../../src/commands/process-guard.js';
import { Redactor } from '../../src/logging/redactor.js';
import { captureLogs } from '../helpers/capture-logs.js';

const CANARY = 'canary-fatal-8f3d2a61c0b94e7d';

describe('the daemon process guard', () => {
  it('logs an unhandled error redacted, with its origin, and exits non-zero', () => {
    const redactor = new Redactor();
    redactor.addFromEnv({ FLY_API_TOKEN: CANARY });
    const logs = captureLogs({ redactor });
    const exits: number[] = [];
    fatalHandler(logs.logger, (code) => exits.push(code))(new Error(`request failed with token ${CANARY}`), 'unhandledRejection');
    expect(exits).toEqual([UNHANDLED_EXIT_CODE]);
    expect(logs.lines).toMatchObject([{ level: 'fatal', origin: 'unhandledRejection', err: { message: expect.stringContaining('request failed') } }]);
    expect(logs.raw.join('\n')).not.toContain(CANARY);
  });

  it('logs a rejection that is not an Error too', () => {
    const logs = captureLogs();
    const exits: number[] = [];
    fatalHandler(logs.logger, (code) => exits.push(code))('plain string reason', 'unhandledRejection');
    expect(exits).toEqual([UNHANDLED_EXIT_CODE]);
    expect(logs.lines[0]).toMatchObject({ level: 'fatal', err: 'plain string reason' });
  });

  it('installs one listener per event and removes exactly those', () => {
    const before = [process.listenerCount('uncaughtException'), process.listenerCount('unhandledRejection')];
    const unguard = guardProcess(captureLogs().logger, () => undefined);
    expect([process.listenerCount('uncaughtException'), process.listenerCount('unhandledRejection')]).toEqual(before.map((n) => n + 1));
    unguard();
    expect([process.listenerCount('uncaughtException'), process.listenerCount('unhandledRejection')]).toEqual(before);
  });
});
