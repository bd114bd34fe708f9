import { createHash } from 'node:crypto';
import type { Chat, ChatMessage, MessageRef } from '../adapters/chat/types.js';
import type { EnsureOutcome } from '../adapters/board/types.js';
import type { Ledger } from './ledger.js';

export interface ChatDeps {
  chat: Chat;
  ledger: Ledger;
  now: () => Date;
}

/** Post the message known by `key`, or update it in place when its content changed (the ledger remembers where it is). */
export async function ensureChatMessage(
  deps: ChatDeps,
  key: string,
  channel: string,
  message: ChatMessage,
): Promise<{ ref: MessageRef; outcome: EnsureOutcome }> {
  const hash = createHash('sha256').update(JSON.stringify(message)).digest('hex');
  const known = await deps.ledger.getMessageRef(key);
  if (!known) {
    const ref = await deps.chat.postMessage(channel, message);
    await deps.ledger.saveMessageRef(key, ref, hash, deps.now());
    return { ref, outcome: 'created' };
  }
  if (known.hash === hash) return { ref: known.ref, outcome: 'unchanged' };
  await deps.chat.updateMessage(known.ref, message);
  await deps.ledger.saveMessageRef(key, known.ref, hash, deps.now());
  return { ref: known.ref, outcome: 'updated' };
}
