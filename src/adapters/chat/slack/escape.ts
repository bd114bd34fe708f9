/**
 * Slack text escaping. `&`, `<` and `>` are Slack's control characters (links, mentions,
 * `<!channel>`); they are the only characters to entity-encode, and every piece of ticket or
 * user text is escaped before opsbeat adds any markup of its own.
 */

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };

export function escapeText(text: string): string {
  return text.replace(/[&<>]/g, (c) => ENTITIES[c]!);
}

// A formatting marker that could open bold, italics, strike-through or code: at the start of the
// text or after a space or an opening bracket or quote (a backtick anywhere).
const OPENING_MARKER = /(^|[\s([{"'])([*_~])|`/g;
const ZERO_WIDTH_SPACE = '\u200B';

/**
 * Untrusted text for a mrkdwn field: escaped, and every marker that could open formatting gets a
 * zero-width space in front, so `*URGENT*` shows as written. Markers inside words
 * (`SESSION_SECRET`) are left alone, so names copy cleanly.
 */
export function escapeMrkdwn(text: string): string {
  return escapeText(text).replace(OPENING_MARKER, (match, before: string | undefined, marker: string | undefined) =>
    marker === undefined ? `${ZERO_WIDTH_SPACE}${match}` : `${before ?? ''}${ZERO_WIDTH_SPACE}${marker}`,
  );
}

/**
 * At most `max` characters, ending in `…` when cut. Never cuts inside an entity (`&amp;`) or a
 * surrogate pair, so a cut text is still valid.
 */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max - 1;
  const amp = text.lastIndexOf('&', end);
  if (amp >= 0 && amp > end - 5) {
    const semi = text.indexOf(';', amp);
    if (semi === -1 || semi >= end) end = amp;
  }
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end -= 1;
  return `${text.slice(0, end)}…`;
}
