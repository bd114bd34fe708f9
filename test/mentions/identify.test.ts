import { describe, expect, it } from 'vitest';
import type { Board } from '../../src/adapters/board/types.js';
import { parseConfigText } from '../../src/config/load.js';
import type { Config } from '../../src/config/normalise.js';
import { isOperator, operatorNames, personOf } from '../../src/mentions/identify.js';

function configOf(lines: string[]): Config {
  const result = parseConfigText(`${lines.join('\n')}\n`, 'opsbeat.yaml', {}, '/srv');
  if (!result.ok) throw new Error(result.errors.join('\n'));
  return result.config;
}

const BASE = ['board: { kind: files }', 'reviewers: { cq: [alice], qa: [carol], operators: [dave-gh, "@acme/sre"] }'];
const teams: Pick<Board, 'isTeamMember'> = { isTeamMember: async (team, user) => team === '@acme/sre' && user === 'erin' };

describe('who is who', () => {
  const config = configOf([...BASE, 'people:', '  dave: { github: dave-gh, slack: U0DAVE }', '  erin: { slack: W0ERIN }', '  carol: { slack: U0CAROL }']);

  it('configures each person once with both identities; the GitHub login defaults to the name', () => {
    expect(config.people).toEqual([
      { name: 'dave', github: 'dave-gh', slack: 'U0DAVE' },
      { name: 'erin', github: 'erin', slack: 'W0ERIN' },
      { name: 'carol', github: 'carol', slack: 'U0CAROL' },
    ]);
    expect(personOf(config, 'U0DAVE')?.name).toBe('dave');
    expect(personOf(config, 'U0NOBODY')).toBeUndefined();
  });

  it('makes an operator of a login on the list, or of a member of a team on it', async () => {
    const deps = { config, board: teams as Board };
    expect(await isOperator(deps, personOf(config, 'U0DAVE')!)).toBe(true);
    expect(await isOperator(deps, personOf(config, 'W0ERIN')!)).toBe(true);
    expect(await isOperator(deps, personOf(config, 'U0CAROL')!)).toBe(false);
    expect(operatorNames(config)).toEqual(['dave', '@acme/sre']);
  });

  it('keeps the reviewer lists of GitHub logins valid without any people', () => {
    expect(configOf(BASE).people).toEqual([]);
  });

  it('refuses a Slack user or a GitHub login given to two people, and a malformed Slack id', () => {
    const result = parseConfigText(
      [...BASE, 'people:', '  dave: { slack: U0DAVE }', '  dan: { github: dave, slack: U0DAVE }', '  eve: { slack: eve }', ''].join('\n'),
      'opsbeat.yaml',
      {},
      '/srv',
    );
    expect(result).toMatchObject({
      ok: false,
      errors: ['opsbeat.yaml:6: people.eve.slack: expected a Slack user id such as "U0123ABCD" (profile → Copy member ID), got "eve"'],
    });
    const twice = parseConfigText([...BASE, 'people:', '  dave: { slack: U0DAVE }', '  dan: { github: dave, slack: U0DAVE }', ''].join('\n'), 'opsbeat.yaml', {}, '/srv');
    expect(twice).toMatchObject({
      ok: false,
      errors: [
        'opsbeat.yaml:5: people.dan.slack: "U0DAVE" is also people.dave.slack; each person needs their own',
        'opsbeat.yaml:5: people.dan.github: "dave" is also people.dave.github; each person needs their own',
      ],
    });
  });
});
