import type { ChatMessage } from '../adapters/chat/types.js';
import type { TicketStatus } from '../adapters/board/types.js';
import type { LockRow } from '../heartbeat/ledger.js';
import { describeLock, reasonTitle } from '../messages/chat-messages.js';

/** What opsbeat answers to `deploy <ticket>`. */
export const deployReplies = {
  noTicket: (id: string): ChatMessage => ({ text: `There is no ticket ${id} on the board.`, tone: 'warning' }),

  notReady: (id: string, status: TicketStatus): ChatMessage => ({
    text: `${id} is not ready for production (its status is ${status}); move it to rfp and the next heartbeat gates it.`,
    tone: 'info',
  }),

  waiting: (id: string): ChatMessage => ({ text: `${id} has a deployment that has not finished yet; it is not deployed again meanwhile.`, tone: 'info' }),

  held: (id: string, reason: string): ChatMessage => ({
    text: `${id} is held: ${reasonTitle(reason)}. The comment opsbeat wrote on the ticket says what to fix.`,
    tone: 'warning',
  }),

  unclear: (id: string, question: string): ChatMessage => ({ text: `${id} does not pass the gate.`, tone: 'warning', sections: [{ lines: [question] }] }),

  passes: (input: { ticket: string; app: string; cq: string; qa: string; locks: readonly LockRow[]; closedWindow: string | undefined }): ChatMessage => {
    const gate = `${input.ticket} passes the gate (CQ pass by ${input.cq}, QA pass by ${input.qa})`;
    const blockers = [
      ...input.locks.map((l) => `${describeLock(l)}`),
      ...(input.closedWindow ? [`it is outside the deploy windows (${input.closedWindow})`] : []),
    ];
    if (blockers.length === 0) return { text: `${gate}: it deploys to ${input.app} in the next heartbeat.`, tone: 'success' };
    return { text: `${gate}, but it does not deploy to ${input.app} yet: ${blockers.join('; ')}.`, tone: 'warning' };
  },
};
