import { describe, expect, it } from 'vitest';
import { parseCommand } from '../../src/mentions/parse-command.js';

const H = 3_600_000;

describe('parseCommand', () => {
  it.each([
    ['help', { kind: 'help' }],
    ['HELP me please', { kind: 'help' }],
    [': help', { kind: 'help' }],
    ['status', { kind: 'status' }],
    ['status?', { kind: 'status' }],
    ['status Billing', { kind: 'status', app: 'billing' }],
    ['deploy OPS-101', { kind: 'deploy', ticket: 'OPS-101' }],
    ['deploy #42', { kind: 'deploy', ticket: '#42' }],
    ['rollback billing', { kind: 'rollback', app: 'billing' }],
    ['lock billing db migration running', { kind: 'lock', scope: 'billing', reason: 'db migration running' }],
    ['lock billing db migration running for 2h', { kind: 'lock', scope: 'billing', reason: 'db migration running', durationMs: 2 * H }],
    ['lock ALL release freeze FOR 1d', { kind: 'lock', scope: 'all', reason: 'release freeze', durationMs: 24 * H }],
    ['lock billing waiting for carol', { kind: 'lock', scope: 'billing', reason: 'waiting for carol' }],
    ['unlock billing', { kind: 'unlock', scope: 'billing' }],
    ['unlock all', { kind: 'unlock', scope: 'all' }],
    ['silence billing 30m', { kind: 'silence', app: 'billing', durationMs: 0.5 * H }],
    ['silence billing 2h planned maintenance', { kind: 'silence', app: 'billing', durationMs: 2 * H, reason: 'planned maintenance' }],
    ['incident sev2 checkout is down', { kind: 'incident', severity: 2, text: 'checkout is down' }],
    ['incident SEV1 everything is down', { kind: 'incident', severity: 1, text: 'everything is down' }],
    ['incident 4 typo on the login page', { kind: 'incident', severity: 4, text: 'typo on the login page' }],
    ['scale billing 3', { kind: 'scale', app: 'billing', count: 3 }],
    ['scale billing 0', { kind: 'scale', app: 'billing', count: 0 }],
  ])('reads %j', (text, command) => {
    expect(parseCommand(text)).toEqual(command);
  });

  it.each([
    ['status billing hotdash', 'status', 'status takes at most one app'],
    ['deploy', 'deploy', 'name the ticket, e.g. deploy OPS-101'],
    ['deploy OPS-1 OPS-2', 'deploy', 'deploy takes one ticket'],
    ['rollback', 'rollback', 'name the app'],
    ['rollback billing now', 'rollback', 'rollback takes one app'],
    ['lock', 'lock', 'name an app, or all'],
    ['lock billing', 'lock', 'say why, e.g. lock billing db migration running for 2h'],
    ['lock billing for 2h', 'lock', 'say why, e.g. lock billing db migration running for 2h'],
    ['lock billing migration for 2hours', 'lock', '"2hours" is not a duration such as 30m, 2h or 1d'],
    ['lock billing migration for 0m', 'lock', '"0m" is not a duration such as 30m, 2h or 1d'],
    ['unlock', 'unlock', 'name an app, or all'],
    ['unlock billing hotdash', 'unlock', 'unlock takes one app, or all'],
    ['silence', 'silence', 'name the app'],
    ['silence billing', 'silence', 'say for how long, e.g. silence billing 2h'],
    ['silence billing soon', 'silence', '"soon" is not a duration such as 30m, 2h or 1d'],
    ['incident', 'incident', 'give a severity (sev1 to sev4) and say what is wrong'],
    ['incident sev5 meh', 'incident', 'the severity is sev1, sev2, sev3 or sev4, not "sev5"'],
    ['incident critical db down', 'incident', 'the severity is sev1, sev2, sev3 or sev4, not "critical"'],
    ['incident sev2', 'incident', 'say what is wrong'],
    ['scale', 'scale', 'name the app and the number of machines'],
    ['scale billing', 'scale', 'name the app and the number of machines'],
    ['scale billing 3 now', 'scale', 'scale takes an app and a number of machines'],
    ['scale billing many', 'scale', '"many" is not a number of machines from 0 to 100'],
    ['scale billing 101', 'scale', '"101" is not a number of machines from 0 to 100'],
    ['scale billing -1', 'scale', '"-1" is not a number of machines from 0 to 100'],
  ])('refuses %j with the problem', (text, command, problem) => {
    expect(parseCommand(text)).toEqual({ kind: 'malformed', command, problem });
  });

  it.each(['is billing down?', 'why did the deploy of OPS-7 fail', '', 'deployed yet?', 'locks'])('takes %j as a question', (text) => {
    expect(parseCommand(text)).toEqual({ kind: 'question', text });
  });
});
