import { describe, expect, it } from 'vitest';
import { findSecrets } from '../../src/gate/find-secrets.js';
import { FAKE } from './fake-secrets.js';


describe('findSecrets', () => {
  it.each([
    ['github_token', FAKE.github],
    ['github_token', FAKE.githubPat],
    ['github_token', FAKE.githubApp],
    ['slack_token', FAKE.slack],
    ['slack_token', FAKE.slackApp],
    ['fly_token', FAKE.fly],
    ['fly_token', FAKE.flyMacaroon],
    ['aws_access_key', FAKE.aws],
    ['private_key', FAKE.privateKey],
    ['stripe_key', FAKE.stripeLive],
    ['stripe_key', FAKE.stripeTest],
    ['stripe_key', FAKE.stripeRestricted],
    ['jwt', FAKE.jwt],
    ['url_password', FAKE.urlPassword],
    ['secret_assignment', FAKE.assignment],
    ['secret_assignment', `password: ${'Tr0ub4dor-and-3'}`],
  ])('finds a %s', (kind, value) => {
    expect(findSecrets(`Some text\nuse ${value} here`)).toEqual([{ line: 2, kind }]);
  });

  it('finds Fly macaroons without the FlyV1 prefix', () => {
    expect(findSecrets(`token fm2_${'lJPECAAAAAAAAMKf'.repeat(2)}`)).toEqual([{ line: 1, kind: 'fly_token' }]);
  });

  it('reports each line and kind once, in line order, and never the value', () => {
    const text = `first ${FAKE.github} and ${FAKE.github}\nclean\n${FAKE.aws} ${FAKE.stripeLive}`;
    const findings = findSecrets(text);
    expect(findings).toEqual([
      { line: 1, kind: 'github_token' },
      { line: 3, kind: 'aws_access_key' },
      { line: 3, kind: 'stripe_key' },
    ]);
    expect(JSON.stringify(findings)).not.toContain(FAKE.github.slice(4));
  });

  it.each([
    ['a full git SHA', 'ref: 3f9c2e1a4b5c6d7e8f90123456789abcdef01234'],
    ['a short git SHA', 'ref: 3f9c2e1'],
    ['an image tag', 'registry.fly.io/hotdash-staging:deployment-01JDQ2ZV8XK3W6Y4T7N9P5R2M1'],
    ['a UUID', 'request 123e4567-e89b-12d3-a456-426614174000 failed'],
    ['secret names in env', 'env: [STRIPE_WEBHOOK_SECRET, SLACK_BOT_TOKEN]'],
    ['an environment reference', 'SLACK_BOT_TOKEN=${SLACK_BOT_TOKEN}'],
    ['a placeholder password', 'postgres://user:password@localhost:5432/app'],
    ['a URL without a password', 'postgres://app@db.internal:5432/app and https://example.com/a:b@c'],
    ['a placeholder assignment', 'api_key: <set with fly secrets set>'],
    ['an identifier', 'token_rotation: token_rotation_policy_v2'],
    ['prose about secrets', 'Rotate the sk_live_ keys and any ghp_ token; the secret_in_ticket hold explains why.'],
    ['a base64 checksum', 'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='],
  ])('does not flag %s', (_name, text) => {
    expect(findSecrets(text)).toEqual([]);
  });
});
