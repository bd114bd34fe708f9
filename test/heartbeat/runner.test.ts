import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileBoard } from '../../src/adapters/board/file-board.js';
import { ConsoleChat } from '../../src/adapters/chat/console-chat.js';
import { FlyPlatform } from '../../src/adapters/platform/fly-platform.js';
import { HttpProbes } from '../../src/adapters/probes/http-probes.js';
import type { SqlLedger } from '../../src/adapters/store/sql-ledger.js';
import { parseConfigText } from '../../src/config/load.js';
import { OpsbeatError } from '../../src/errors.js';
import { inspectSchema } from '../../src/gate/inspect-schema.js';
import { done, type HeartbeatDeps, type StepContext, type StepOutcome } from '../../src/heartbeat/context.js';
import { runHeartbeat, type StepReport } from '../../src/heartbeat/runner.js';
import { settleEach } from '../../src/heartbeat/settle-each.js';
import type { StepName, StepOutputs } from '../../src/heartbeat/step-outputs.js';
import { STEPS, type StepDefinition } from '../../src/heartbeat/steps.js';
import { captureLogs, type CapturedLogs } from '../helpers/capture-logs.js';
import { openTestPglite } from '../helpers/stores.js';
import { TicketBuilder } from '../helpers/ticket-builder.js';
import { tmpDir } from '../helpers/tmp-dir.js';

const CANARY = 'canary-5ecret-7f3a91';
const START = Date.parse('2026-11-25T09:00:00Z');

interface Harness {
  deps: HeartbeatDeps;
  ledger: SqlLedger;
  logs: CapturedLogs;
}

/**
 * Real collaborators, none of which the steps below touch: a file board in a temporary folder,
 * console chat, the flyctl adapter (never spawned: no token), HTTP probes. The clock moves one
 * second per reading, so every ledger time is distinct and predictable.
 */
async function harness(): Promise<Harness> {
  const dir = await tmpDir('opsbeat-runner-');
  const parsed = parseConfigText(
    'board: { kind: files, files: { dir: board } }\nreviewers: { cq: [alice], qa: [carol] }\n',
    path.join(dir, 'opsbeat.yaml'),
    {},
    dir,
  );
  if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
  const { config } = parsed;
  const { ledger } = await openTestPglite();
  const logs = captureLogs();
  logs.redactor.add(CANARY);
  let tick = 0;
  const now = (): Date => new Date(START + 1000 * tick++);
  const deps: HeartbeatDeps = {
    config,
    ledger,
    board: FileBoard.create(config, now),
    chat: new ConsoleChat({ out: { write: () => true }, transcriptPath: undefined, color: false, redactor: logs.redactor, now }),
    platform: FlyPlatform.create(config.platform.fly, {}, logs.logger, logs.redactor),
    probes: new HttpProbes({ logger: logs.logger }),
    inspectSchema: (url, checks) => inspectSchema(url, checks),
    logger: logs.logger,
    redactor: logs.redactor,
    now,
    secret: () => undefined,
  };
  return { deps, ledger, logs };
}

type Run<N extends StepName> = (ctx: StepContext) => Promise<StepOutcome<StepOutputs[N]>>;

function def<N extends StepName>(name: N, run: Run<N>, needs: StepName[] = []): StepDefinition {
  return { name, run, needs, uses: [], mutates: false, purpose: `test step ${name}` } as unknown as StepDefinition;
}

const TICKET = new TicketBuilder('OPS-1').build();

/** Six steps shaped like the real table (4–6 independent of 1–3), each noting that it ran. */
function sixSteps(ran: string[], overrides: Partial<{ [N in StepName]: Run<N> }> = {}): StepDefinition[] {
  const note =
    <N extends StepName>(name: N, data: StepOutputs[N]): Run<N> =>
    async () => {
      ran.push(name);
      return done(`${name} ok`, data);
    };
  return [
    def('read-queue', overrides['read-queue'] ?? note('read-queue', { tickets: [TICKET] })),
    def('gate-tickets', overrides['gate-tickets'] ?? note('gate-tickets', { decisions: [] }), ['read-queue']),
    def('plan-deploys', overrides['plan-deploys'] ?? note('plan-deploys', { plans: [], decisions: [] }), ['gate-tickets']),
    def('execute-deploys', overrides['execute-deploys'] ?? note('execute-deploys', { outcomes: [] })),
    def(
      'close-tickets',
      overrides['close-tickets'] ?? note('close-tickets', { closed: [], failed: [], holdsWritten: [], holdsResolved: [] }),
    ),
    def(
      'post-summary',
      overrides['post-summary'] ?? note('post-summary', { posted: false, questionsAsked: [], questionsResolved: [], reminders: [] }),
    ),
  ];
}

/** The deploy path, in heartbeat order: the steps the test tables below stand in for. */
const SIX: StepName[] = ['read-queue', 'gate-tickets', 'plan-deploys', 'execute-deploys', 'close-tickets', 'post-summary'];

const statusOf = (reports: StepReport[]): [string, string][] => reports.map((r) => [r.step, r.status]);

describe('runHeartbeat', () => {
  it('runs every step in table order under one heartbeat id, and records each', async () => {
    const { deps, ledger } = await harness();
    const ran: string[] = [];
    const before: string[] = [];
    const after: string[] = [];
    const result = await runHeartbeat(deps, {
      trigger: 'manual',
      steps: sixSteps(ran),
      beforeStep: (d, i) => before.push(`${i}:${d.name}`),
      onStep: (r) => after.push(r.step),
    });

    const names = SIX;
    expect(result.hb).toMatch(/^hb-20261125T0900Z-[0-9a-f]{6}$/);
    expect(result.outcome).toBe('ok');
    expect(ran).toEqual(names);
    expect(before).toEqual(names.map((n, i) => `${i}:${n}`));
    expect(after).toEqual(names);
    expect(result.outputs['read-queue']).toEqual({ tickets: [TICKET] });

    const runs = await ledger.stepRuns(result.hb);
    expect(runs.map((r) => [r.hb, r.step, r.status, r.summary, r.errorCode, r.error])).toEqual(
      names.map((n) => [result.hb, n, 'done', `${n} ok`, null, null]),
    );
    for (const run of runs) expect(run.finishedAt!.getTime()).toBeGreaterThan(run.startedAt.getTime());

    const [heartbeat] = await ledger.recentHeartbeats(1);
    expect(heartbeat).toMatchObject({
      hb: result.hb,
      trigger: 'manual',
      outcome: 'ok',
      startedAt: new Date(START),
      summary: names.map((n) => `${n}: ${n} ok`).join('; '),
    });
    expect(heartbeat!.finishedAt).not.toBeNull();
  });

  it('records a step that throws as failed with its code, skips what needs it, and runs the independent steps', async () => {
    const { deps, ledger } = await harness();
    const ran: string[] = [];
    const result = await runHeartbeat(deps, {
      trigger: 'once',
      steps: sixSteps(ran, {
        'read-queue': async () => {
          throw new OpsbeatError('board_unreachable', 'the board could not be read');
        },
      }),
    });

    expect(result.outcome).toBe('failed');
    expect(ran).toEqual(['execute-deploys', 'close-tickets', 'post-summary']);
    expect(statusOf(result.steps)).toEqual([
      ['read-queue', 'failed'],
      ['gate-tickets', 'skipped'],
      ['plan-deploys', 'skipped'],
      ['execute-deploys', 'done'],
      ['close-tickets', 'done'],
      ['post-summary', 'done'],
    ]);
    expect(result.steps[0]).toMatchObject({ errorCode: 'board_unreachable', error: 'the board could not be read' });
    expect(result.steps[1]!.summary).toBe('skipped: needs read-queue, which did not finish');

    const runs = await ledger.stepRuns(result.hb);
    expect(runs.slice(0, 3).map((r) => [r.step, r.status, r.summary, r.errorCode, r.error])).toEqual([
      ['read-queue', 'failed', null, 'board_unreachable', 'the board could not be read'],
      ['gate-tickets', 'skipped', 'skipped: needs read-queue, which did not finish', null, null],
      ['plan-deploys', 'skipped', 'skipped: needs gate-tickets, which did not finish', null, null],
    ]);
    const [heartbeat] = await ledger.recentHeartbeats(1);
    expect(heartbeat).toMatchObject({
      outcome: 'failed',
      summary:
        'read-queue: failed; gate-tickets: skipped; plan-deploys: skipped; execute-deploys: execute-deploys ok; ' +
        'close-tickets: close-tickets ok; post-summary: post-summary ok',
    });
  });

  it('gives anything thrown that is not an OpsbeatError the code unexpected_error, first line only', async () => {
    const { deps, ledger } = await harness();
    const result = await runHeartbeat(deps, {
      trigger: 'once',
      steps: sixSteps([], {
        'execute-deploys': async () => {
          throw new TypeError('cannot read "machines"\n    at somewhere (file.ts:1:1)');
        },
        'close-tickets': async () => {
          throw 'a bare string';
        },
      }),
    });
    const runs = await ledger.stepRuns(result.hb);
    expect(runs.filter((r) => r.status === 'failed').map((r) => [r.step, r.errorCode, r.error])).toEqual([
      ['execute-deploys', 'unexpected_error', 'cannot read "machines"'],
      ['close-tickets', 'unexpected_error', 'a bare string'],
    ]);
  });

  it('makes the heartbeat failed on per-item problems while the data flows on', async () => {
    const { deps, ledger, logs } = await harness();
    let seenByPlan: unknown;
    const result = await runHeartbeat(deps, {
      trigger: 'once',
      steps: sixSteps([], {
        'gate-tickets': async () =>
          done('1 decided, 1 could not be read', { decisions: [] }, [
            { subject: 'OPS-2', code: 'ticket_unreadable', message: 'front matter is not YAML' },
          ]),
        'plan-deploys': async (ctx) => {
          seenByPlan = ctx.input('gate-tickets');
          return done('0 plans', { plans: [], decisions: [] });
        },
      }),
    });

    expect(result.outcome).toBe('failed');
    expect(seenByPlan).toEqual({ decisions: [] });
    expect(result.steps[1]).toMatchObject({
      status: 'done',
      summary: '1 decided, 1 could not be read',
      problems: [{ subject: 'OPS-2', code: 'ticket_unreadable', message: 'front matter is not YAML' }],
    });
    const runs = await ledger.stepRuns(result.hb);
    expect(runs[1]).toMatchObject({
      step: 'gate-tickets',
      status: 'done',
      summary: '1 decided, 1 could not be read',
      errorCode: 'partial_failure',
      error: 'OPS-2: ticket_unreadable: front matter is not YAML',
    });
    expect(runs[2]).toMatchObject({ step: 'plan-deploys', status: 'done' });
    expect((await ledger.recentHeartbeats(1))[0]!.outcome).toBe('failed');
    expect(logs.lines.filter((l) => l.msg === 'step problem')).toEqual([
      expect.objectContaining({
        level: 'warn',
        hb: result.hb,
        step: 'gate-tickets',
        subject: 'OPS-2',
        code: 'ticket_unreadable',
        problem: 'front matter is not YAML',
      }),
    ]);
  });

  it('treats a malformed outcome as a failure, and passes none of its data on', async () => {
    const { deps, ledger } = await harness();
    const result = await runHeartbeat(deps, {
      trigger: 'once',
      steps: sixSteps([], {
        // No problems array: a step written without done().
        'read-queue': async () => ({ kind: 'done', summary: '1 ticket', data: { tickets: [TICKET] } }) as never,
        'execute-deploys': async () => undefined as never,
        'close-tickets': async () => ({ kind: 'done', summary: 'no data' }) as never,
        'post-summary': async () => ({ kind: 'skipped' }) as never,
      }),
    });

    expect(statusOf(result.steps)).toEqual([
      ['read-queue', 'failed'],
      ['gate-tickets', 'skipped'],
      ['plan-deploys', 'skipped'],
      ['execute-deploys', 'failed'],
      ['close-tickets', 'failed'],
      ['post-summary', 'failed'],
    ]);
    expect(result.outputs).toEqual({});
    const runs = await ledger.stepRuns(result.hb);
    expect(runs.filter((r) => r.status === 'failed').map((r) => [r.step, r.errorCode, r.error])).toEqual([
      ['read-queue', 'invariant_violated', 'a step returned a malformed outcome'],
      ['execute-deploys', 'invariant_violated', 'a step returned a malformed outcome'],
      ['close-tickets', 'invariant_violated', 'a step returned a malformed outcome'],
      ['post-summary', 'invariant_violated', 'a step returned a malformed outcome'],
    ]);
  });

  it('records a step that skips itself with its reason, and skips what needs it', async () => {
    const { deps, ledger } = await harness();
    const result = await runHeartbeat(deps, {
      trigger: 'once',
      steps: sixSteps([], { 'read-queue': async () => ({ kind: 'skipped', reason: 'board is read-only today' }) }),
    });
    expect(result.outcome).toBe('ok');
    const runs = await ledger.stepRuns(result.hb);
    expect(runs.slice(0, 2).map((r) => [r.step, r.status, r.summary])).toEqual([
      ['read-queue', 'skipped', 'board is read-only today'],
      ['gate-tickets', 'skipped', 'skipped: needs read-queue, which did not finish'],
    ]);
  });

  it('writes the same lines for every step, each carrying hb, and step on step lines', async () => {
    const { deps, logs } = await harness();
    const result = await runHeartbeat(deps, {
      trigger: 'schedule',
      steps: sixSteps([], {
        'read-queue': async (ctx) => {
          ctx.log.info({ tickets: 1 }, 'reading the board');
          return done('1 ticket', { tickets: [TICKET] });
        },
        'execute-deploys': async () => {
          throw new OpsbeatError('fly_unreachable', 'flyctl could not reach Fly');
        },
      }),
    });

    expect(logs.lines.length).toBeGreaterThan(0);
    for (const line of logs.lines) expect(line.hb).toBe(result.hb);
    const shape = logs.lines.map((l) => [l.level, l.step ?? '-', l.msg]);
    expect(shape).toEqual([
      ['info', '-', 'heartbeat started'],
      ['info', 'read-queue', 'step started'],
      ['info', 'read-queue', 'reading the board'],
      ['info', 'read-queue', 'step finished'],
      ['info', 'gate-tickets', 'step started'],
      ['info', 'gate-tickets', 'step finished'],
      ['info', 'plan-deploys', 'step started'],
      ['info', 'plan-deploys', 'step finished'],
      ['info', 'execute-deploys', 'step started'],
      ['error', 'execute-deploys', 'step failed'],
      ['info', 'close-tickets', 'step started'],
      ['info', 'close-tickets', 'step finished'],
      ['info', 'post-summary', 'step started'],
      ['info', 'post-summary', 'step finished'],
      ['info', '-', 'heartbeat finished'],
    ]);
    expect(logs.lines[0]).toMatchObject({ trigger: 'schedule' });
    expect(logs.lines[3]).toMatchObject({ summary: '1 ticket', durationMs: expect.any(Number) });
    expect(logs.lines[9]).toMatchObject({ code: 'fly_unreachable', err: { message: 'flyctl could not reach Fly' } });
    expect(logs.lines.at(-1)).toMatchObject({ outcome: 'failed' });
  });

  it('tells a later step what failed so far', async () => {
    const { deps } = await harness();
    let seen: ReturnType<StepContext['failures']> = [];
    let maybePlan: unknown = 'unset';
    await runHeartbeat(deps, {
      trigger: 'once',
      steps: sixSteps([], {
        'read-queue': async () => done('1 ticket', { tickets: [TICKET] }, [{ subject: 'OPS-9', code: 'ticket_unreadable', message: 'bad file' }]),
        'gate-tickets': async () => {
          throw new OpsbeatError('gate_broken', 'the gate could not run');
        },
        'post-summary': async (ctx) => {
          seen = ctx.failures();
          maybePlan = ctx.maybe('plan-deploys');
          return done('summary posted', { posted: true, questionsAsked: [], questionsResolved: [], reminders: [] });
        },
      }),
    });
    expect(seen).toEqual([
      { step: 'read-queue', subject: 'OPS-9', code: 'ticket_unreadable', message: 'bad file' },
      { step: 'gate-tickets', code: 'gate_broken', message: 'the gate could not run' },
    ]);
    expect(maybePlan).toBeUndefined();
  });

  it('fails a step that reads the output of a step that did not finish', async () => {
    const { deps } = await harness();
    const result = await runHeartbeat(deps, {
      trigger: 'once',
      steps: sixSteps([], {
        'read-queue': async () => ({ kind: 'skipped', reason: 'nothing to read' }),
        'execute-deploys': async (ctx) => {
          ctx.input('plan-deploys');
          return done('unreachable', { outcomes: [] });
        },
      }),
    });
    expect(result.steps[3]).toMatchObject({
      step: 'execute-deploys',
      status: 'failed',
      errorCode: 'unexpected_error',
      error: 'step execute-deploys read the output of plan-deploys, which did not finish',
    });
  });

  it('skips every remaining step as shutting down once the signal is aborted', async () => {
    const { deps, ledger, logs } = await harness();
    const controller = new AbortController();
    const ran: string[] = [];
    const result = await runHeartbeat(deps, {
      trigger: 'schedule',
      signal: controller.signal,
      steps: sixSteps(ran, {
        'read-queue': async (ctx) => {
          ran.push('read-queue');
          controller.abort();
          expect(ctx.signal.aborted).toBe(true);
          return done('1 ticket', { tickets: [TICKET] });
        },
      }),
    });

    expect(ran).toEqual(['read-queue']);
    expect(result.outcome).toBe('ok');
    const runs = await ledger.stepRuns(result.hb);
    expect(runs.map((r) => [r.step, r.status, r.summary])).toEqual([
      ['read-queue', 'done', '1 ticket'],
      ...SIX.slice(1).map((name) => [name, 'skipped', 'skipped: shutting down']),
    ]);
    expect(logs.lines.filter((l) => l.msg === 'step skipped').map((l) => l.step)).toEqual(SIX.slice(1));
    expect((await ledger.recentHeartbeats(1))[0]).toMatchObject({ outcome: 'ok', finishedAt: expect.any(Date) });
  });

  it('runs nothing when the signal is aborted before the heartbeat starts', async () => {
    const { deps, ledger } = await harness();
    const ran: string[] = [];
    const result = await runHeartbeat(deps, { trigger: 'once', signal: AbortSignal.abort(), steps: sixSteps(ran) });
    expect(ran).toEqual([]);
    expect(result.steps.map((s) => s.summary)).toEqual(SIX.map(() => 'skipped: shutting down'));
    expect((await ledger.stepRuns(result.hb)).every((r) => r.status === 'skipped')).toBe(true);
  });

  it('redacts a secret in an error, a problem and a summary from the ledger, the result and the logs', async () => {
    const { deps, ledger, logs } = await harness();
    const result = await runHeartbeat(deps, {
      trigger: 'once',
      steps: sixSteps([], {
        'read-queue': async () => {
          throw new Error(`could not connect to postgres://ops:${CANARY}@db.internal/ops`);
        },
        'execute-deploys': async (ctx) => {
          ctx.log.warn({ detail: `token ${CANARY}` }, 'deploy problem');
          return done(`deployed with ${CANARY}`, { outcomes: [] }, [{ subject: 'OPS-1', code: 'leak', message: `stderr: ${CANARY}` }]);
        },
      }),
    });

    const runs = await ledger.stepRuns(result.hb);
    const heartbeats = await ledger.recentHeartbeats(1);
    expect(runs[0]).toMatchObject({ error: 'could not connect to postgres://ops:[REDACTED]@db.internal/ops' });
    expect(runs[3]).toMatchObject({ summary: 'deployed with [REDACTED]', error: 'OPS-1: leak: stderr: [REDACTED]' });
    for (const text of [JSON.stringify(runs), JSON.stringify(heartbeats), JSON.stringify(result.steps), logs.raw.join('\n')]) {
      expect(text).not.toContain(CANARY);
    }
    expect(logs.raw.join('\n')).toContain('[REDACTED]');
  });
});

describe('STEPS, the heartbeat table', () => {
  /** DESIGN.md "The heartbeat: nine steps, in order"; the table holds those built so far. */
  const DESIGN_ORDER = [...SIX, 'monitor-services', 'answer-mentions', 'process-requests'];
  const names = STEPS.map((s) => s.name as string);

  it('starts with the six deploy-path steps and keeps the designed order', () => {
    expect(names.slice(0, 6)).toEqual(SIX);
    expect(new Set(names).size).toBe(names.length);
    const positions = names.map((n) => DESIGN_ORDER.indexOf(n));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
  });

  it('marks only read-queue, gate-tickets and plan-deploys as not mutating: what `opsbeat plan` may run', () => {
    expect(STEPS.filter((s) => !s.mutates).map((s) => s.name)).toEqual(['read-queue', 'gate-tickets', 'plan-deploys']);
  });

  it('names only earlier steps as inputs, and keeps every step from execute-deploys on independent', () => {
    STEPS.forEach((s, i) => {
      const earlier = STEPS.slice(0, i).map((e) => e.name);
      for (const input of [...s.needs, ...s.uses]) expect(earlier).toContain(input);
      expect(s.purpose).toMatch(/^[a-z].{10,}[^.]$/);
    });
    expect(STEPS.slice(0, 3).map((s) => s.needs)).toEqual([[], ['read-queue'], ['gate-tickets']]);
    for (const s of STEPS.slice(3)) expect(s.needs).toEqual([]);
  });
});

describe('settleEach', () => {
  it('runs every item, keeps results in order, and turns each failure into a problem naming its subject', async () => {
    const started: string[] = [];
    const { results, problems } = await settleEach(
      ['OPS-1', 'OPS-2', 'OPS-3', 'OPS-4'],
      (id) => id,
      async (id) => {
        started.push(id);
        if (id === 'OPS-2') throw new OpsbeatError('deploy_failed', 'fly deploy failed');
        if (id === 'OPS-4') throw new Error('boom\nstack');
        return `${id} done`;
      },
    );
    expect(started).toEqual(['OPS-1', 'OPS-2', 'OPS-3', 'OPS-4']);
    expect(results).toEqual(['OPS-1 done', 'OPS-3 done']);
    expect(problems).toEqual([
      { subject: 'OPS-2', code: 'deploy_failed', message: 'fly deploy failed' },
      { subject: 'OPS-4', code: 'unexpected_error', message: 'boom' },
    ]);
  });

  it('returns nothing for no items', async () => {
    expect(await settleEach([], String, async () => 1)).toEqual({ results: [], problems: [] });
  });
});
