/**
 * Split text holding concatenated JSON objects or arrays (`fly logs --json` prints each entry
 * as an indented, multi-line object with no separator) into parsed values. Throws a SyntaxError
 * naming the offset when anything else is found between values.
 */
export function parseJsonStream(text: string): unknown[] {
  const values: unknown[] = [];
  let depth = 0;
  let inString = false;
  let escaped = false;
  let start = -1;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (inString) {
      if (escaped) escaped = false;
      else if (ch === '\\') escaped = true;
      else if (ch === '"') inString = false;
      continue;
    }
    if (depth === 0) {
      if (/\s/.test(ch)) continue;
      if (ch !== '{' && ch !== '[') throw new SyntaxError(`expected "{" or "[" at offset ${i}`);
      start = i;
    }
    if (ch === '"') inString = true;
    else if (ch === '{' || ch === '[') depth++;
    else if (ch === '}' || ch === ']') {
      depth--;
      if (depth === 0) {
        values.push(JSON.parse(text.slice(start, i + 1)));
        start = -1;
      }
    }
  }
  if (depth !== 0 || inString) throw new SyntaxError('the last value is cut off');
  return values;
}
