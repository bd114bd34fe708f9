import { OpsbeatError } from '../../../errors.js';

/** `#12` (or `12`) → 12. A GitHub ticket's printable id is its issue number with a `#`. */
export function issueNumberOf(id: string): number {
  const match = /^#?(\d{1,10})$/.exec(id.trim());
  if (!match) {
    throw new OpsbeatError('ticket_id_invalid', 'not a GitHub ticket id', {
      fields: { ticket: id },
      details: 'GitHub ticket ids are issue numbers, written `#12` (or `12`).',
    });
  }
  return Number(match[1]);
}

export function ticketIdOf(issueNumber: number): string {
  return `#${issueNumber}`;
}

export function ticketNotFound(issueNumber: number): OpsbeatError {
  return new OpsbeatError('ticket_not_found', 'the ticket does not exist on the board', {
    fields: { ticket: ticketIdOf(issueNumber) },
    details: `Issue #${issueNumber} does not exist in the board repository, was deleted or transferred, is a pull request, or the token cannot see it.`,
  });
}
