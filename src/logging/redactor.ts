/**
 * Redaction by value: every secret read from the environment is registered at start-up, with
 * the encodings it could leak in (URL-encoded, base64, JSON-escaped), and `redact` replaces
 * them wherever text leaves the process: log lines, ticket comments, chat messages, flyctl
 * output and error text stored in the ledger.
 */

const MIN_SECRET_LENGTH = 6;
export const REDACTED = '[REDACTED]';

/** Environment variable names whose values are secrets even when not named in config. */
const SECRET_NAME = /(TOKEN|SECRET|PASSWORD|PASSWD|API_KEY|PRIVATE_KEY|CREDENTIAL|DATABASE_URL|_DB_URL|DSN)/i;

export function looksLikeSecretName(name: string): boolean {
  return SECRET_NAME.test(name);
}

export class Redactor {
  private readonly values = new Set<string>();
  private pattern: RegExp | undefined;

  /** Register a secret value and its common encodings. Short values are ignored (too many false hits). */
  add(secret: string | undefined): void {
    if (!secret || secret.length < MIN_SECRET_LENGTH) return;
    const forms = [
      secret,
      encodeURIComponent(secret),
      Buffer.from(secret, 'utf8').toString('base64'),
      Buffer.from(secret, 'utf8').toString('base64url'),
      JSON.stringify(secret).slice(1, -1),
    ];
    // A URL with a password leaks the password on its own too.
    const password = passwordOf(secret);
    if (password) forms.push(password, encodeURIComponent(password));
    for (const form of forms) if (form.length >= MIN_SECRET_LENGTH) this.values.add(form);
    this.pattern = undefined;
  }

  /** Register the values of every secret-looking variable of an environment, plus the named ones. */
  addFromEnv(env: NodeJS.ProcessEnv, alsoNames: readonly string[] = []): void {
    for (const [name, value] of Object.entries(env)) {
      if (looksLikeSecretName(name) || alsoNames.includes(name)) this.add(value);
    }
  }

  get size(): number {
    return this.values.size;
  }

  redact(text: string): string {
    if (this.values.size === 0 || !text) return text;
    this.pattern ??= new RegExp(
      [...this.values].sort((a, b) => b.length - a.length).map(escapeRegExp).join('|'),
      'g',
    );
    return text.replace(this.pattern, REDACTED);
  }

  /** Redact every string inside a JSON-like value (for structured data headed for the ledger). */
  redactDeep<T>(value: T): T {
    if (this.values.size === 0) return value;
    return JSON.parse(this.redact(JSON.stringify(value) ?? 'null')) as T;
  }
}

function passwordOf(value: string): string | undefined {
  try {
    const url = new URL(value);
    return url.password ? decodeURIComponent(url.password) : undefined;
  } catch {
    return undefined;
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
