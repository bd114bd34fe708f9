/** What kind of secret a token-shaped string looks like. Only kinds and lines leave this module. */
export type SecretKind =
  | 'github_token'
  | 'slack_token'
  | 'fly_token'
  | 'aws_access_key'
  | 'private_key'
  | 'stripe_key'
  | 'jwt'
  | 'url_password'
  | 'secret_assignment';

export interface SecretFinding {
  /** 1-based line of `text`. */
  line: number;
  kind: SecretKind;
}

interface Detector {
  kind: SecretKind;
  pattern: RegExp;
  /** Further check on the captured value, to keep false positives rare. */
  accept?: (value: string) => boolean;
}

// Each pattern needs a vendor prefix or a structure that ordinary ids (git SHAs, image tags,
// UUIDs, ULIDs) never have; the generic assignment needs a secret-like key AND a random-looking value.
// Repetitions before a fixed part are bounded, so a hostile 64 KB line cannot make matching quadratic.
const DETECTORS: readonly Detector[] = [
  { kind: 'github_token', pattern: /\bgh[pousr]_[A-Za-z0-9]{30,}/g },
  { kind: 'github_token', pattern: /\bgithub_pat_[A-Za-z0-9_]{40,}/g },
  { kind: 'slack_token', pattern: /\bxox[abeoprs]-[A-Za-z0-9-]{10,}/g },
  { kind: 'slack_token', pattern: /\bxapp-\d-[A-Za-z0-9-]{10,}/g },
  { kind: 'fly_token', pattern: /\bFlyV1\s+fm\d_[A-Za-z0-9+/=_-]{16,}/g },
  { kind: 'fly_token', pattern: /\bfm[12][a-z]?_[A-Za-z0-9+/=_-]{20,}/g },
  { kind: 'aws_access_key', pattern: /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g },
  { kind: 'private_key', pattern: /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----/g },
  { kind: 'stripe_key', pattern: /\b(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{10,}/g },
  { kind: 'stripe_key', pattern: /\bwhsec_[A-Za-z0-9]{20,}/g },
  { kind: 'jwt', pattern: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g },
  {
    kind: 'url_password',
    pattern: /\b[a-z][a-z0-9+.-]{0,31}:\/\/[^\s:@/'"`<>]{1,256}:([^\s@/'"`<>]{1,256})@[^\s/'"`<>]/gi,
    accept: (password) => !isPlaceholder(password),
  },
  {
    kind: 'secret_assignment',
    pattern:
      /(?:password|passwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key)[A-Za-z0-9_.-]{0,64}["']?\s*[:=]\s*["']?([^\s"'`,;)}\]]{12,})/gi,
    accept: (value) => !isPlaceholder(value) && looksRandom(value),
  },
];

/** Token-shaped strings in `text`: one finding per line and kind, in line order. The values never leave here. */
export function findSecrets(text: string): SecretFinding[] {
  const findings: SecretFinding[] = [];
  const seen = new Set<string>();
  const lines = text.split(/\r?\n/);
  lines.forEach((content, index) => {
    for (const detector of DETECTORS) {
      for (const match of content.matchAll(detector.pattern)) {
        const value = match[1] ?? match[0];
        if (detector.accept && !detector.accept(value)) continue;
        const key = `${index}:${detector.kind}`;
        if (seen.has(key)) continue;
        seen.add(key);
        findings.push({ line: index + 1, kind: detector.kind });
      }
    }
  });
  return findings;
}

/** `${VAR}`, `<password>`, `****`, `xxxx`, `changeme` and friends are how people write "a secret goes here". */
function isPlaceholder(value: string): boolean {
  if (/^[$<{%]/.test(value)) return true;
  if (/^(.)\1*$/.test(value)) return true;
  return /^(password|passwd|pass|secret|token|changeme|example|redacted|\[redacted\]|hunter2)$/i.test(value);
}

/** A value with letters and digits and no long dictionary-word run: random enough to be a credential. */
function looksRandom(value: string): boolean {
  if (!/[A-Za-z]/.test(value) || !/\d/.test(value)) return false;
  // snake_case or kebab-case words (e.g. "token_rotation_policy_v2") are identifiers, not secrets.
  if (/^[a-z]+(?:[_-][a-z0-9]+)+$/.test(value)) return false;
  return true;
}
