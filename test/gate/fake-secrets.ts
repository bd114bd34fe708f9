/** Token-shaped test values, assembled at run time so no scanner mistakes the test files for a leak. */
export const FAKE = {
  github: `ghp_${'x1Y2'.repeat(9)}`,
  githubPat: `github_pat_${'11ABCDEFG0'.repeat(2)}_${'a1B2c3D4e5'.repeat(6)}`,
  githubApp: `ghs_${'Q9w8E7r6'.repeat(5)}`,
  slack: `xoxb-${'1234567890'}-${'aBcDeF123456'.repeat(2)}`,
  slackApp: `xapp-1-${'A0B1C2D3E4'}-${'123456'}-${'ab12'.repeat(8)}`,
  fly: `FlyV1 fm2_${'lJPECAAAAAAAAMKf'.repeat(3)}`,
  flyMacaroon: `fm1r_${'AbCdEf0123'.repeat(4)}`,
  aws: `AKIA${'IOSFODNN7EXAMPLE'}`,
  privateKey: `-----BEGIN ${'RSA PRIVATE'} KEY-----`,
  stripeLive: `sk_live_${'51HxYz'.repeat(5)}`,
  stripeTest: `sk_test_${'4eC39H'.repeat(5)}`,
  stripeRestricted: `rk_live_${'9zYx8W'.repeat(5)}`,
  jwt: `eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.${'SflKxwRJSMeKKF2QT4fwpM'}`,
  urlPassword: `postgres://app:${'Sup3r-s3cret'}@db.internal:5432/app`,
  assignment: `STRIPE_API_KEY = "${'A1b2C3d4'.repeat(3)}"`,
} as const;

