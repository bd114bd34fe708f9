import { randomUUID } from 'node:crypto';
import { KeyedQueue } from './keyed-queue.js';
import { open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../../config/normalise.js';
import { ExternalError, InvariantError, OpsbeatError } from '../../errors.js';
import { parseTicketFile, statusFromText, ticketFrom, type TicketFile } from './ticket-file.js';
import { withComment, withStatus } from './ticket-file-edit.js';
import { commentMarker, readCommentMarker, type Board, type EnsureOutcome, type Ticket, type TicketProblem, type TicketStatus } from './types.js';

export interface FileBoardOptions {
  /** The folder holding one `<ID>.md` file per ticket. */
  dir: string;
  /** Members of "@org/team" reviewer teams (the file board cannot ask GitHub). */
  teams: Record<string, string[]>;
  now: () => Date;
}

export const TICKET_ID = /^[A-Z][A-Z0-9]*-\d+$/;
const WRITE_ATTEMPTS = 3;

/**
 * The embedded default and demo board: one Markdown file per ticket (format in README.md beside
 * this file). Writes are atomic (temp file in the same folder, fsync, rename), serialised per
 * file within this process, and dropped and retried when someone changed the file meanwhile.
 */
export class FileBoard implements Board {
  readonly kind = 'files' as const;
  private readonly dir: string;
  private readonly teams: Record<string, string[]>;
  private readonly now: () => Date;
  /** One write at a time per ticket file. */
  private readonly queue = new KeyedQueue<string>();

  constructor(options: FileBoardOptions) {
    this.dir = options.dir;
    this.teams = options.teams;
    this.now = options.now;
  }

  static create(config: Pick<Config, 'board'>, now: () => Date = () => new Date()): FileBoard {
    if (config.board.kind !== 'files') throw new InvariantError('FileBoard.create called for a board that is not files');
    return new FileBoard({ dir: config.board.files.dir, teams: config.board.files.teams, now });
  }

  /**
   * Every ticket in rfp, plus every ticket file that cannot be read well enough to know its
   * status (returned with status `other` and `problems`), so the gate holds it with a comment
   * instead of the file being skipped without a word. Files not named like a ticket id are
   * included (with a problem) only when they say `status: rfp`.
   */
  async listReady(): Promise<Ticket[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (err) {
      throw boardError(err, 'the board folder cannot be read', `Check that board.files.dir (${path.basename(this.dir)}) exists and is readable.`);
    }
    const tickets: Ticket[] = [];
    for (const name of names.filter(isTicketFileName).sort(byTicketId)) {
      const id = name.slice(0, -'.md'.length);
      const read = await this.read(id).catch((err: unknown) => unreadableFile(id, err));
      if (!read) continue;
      const { ticket, statusKnown } = read;
      if (TICKET_ID.test(id)) {
        if (ticket.status === 'rfp' || !statusKnown) tickets.push(ticket);
      } else if (ticket.status === 'rfp') {
        tickets.push({ ...ticket, problems: [...(ticket.problems ?? []), misnamed(id)] });
      }
    }
    return tickets;
  }

  async readTicket(id: string): Promise<Ticket> {
    checkId(id);
    const read = await this.read(id);
    if (!read) throw notFound(id);
    return read.ticket;
  }

  async ensureComment(id: string, key: string, body: string): Promise<EnsureOutcome> {
    checkId(id);
    // A key the marker cannot carry would never be found again: every call would add a comment.
    if (readCommentMarker(commentMarker(key)) !== key) throw new InvariantError('comment key not usable in a marker', { fields: { key } });
    return this.update(id, (file) => {
      const edit = withComment(file, key, body, this.now());
      return edit.outcome === 'unchanged' ? { result: edit.outcome } : { result: edit.outcome, text: edit.text };
    });
  }

  async moveTicket(id: string, from: TicketStatus, to: TicketStatus): Promise<void> {
    checkId(id);
    if (to === 'other') throw new InvariantError('a ticket cannot be moved to status "other"', { fields: { ticket: id } });
    await this.update(id, (file) => {
      const edit = withStatus(file, from, to, this.now());
      switch (edit.kind) {
        case 'already':
          return { result: undefined };
        case 'moved':
          if (statusFromText(parseTicketFile(edit.text).frontMatter?.doc.get('status')) !== to) {
            throw new InvariantError('the status edit did not read back', { fields: { ticket: id, to } });
          }
          return { result: undefined, text: edit.text };
        case 'elsewhere':
          throw new OpsbeatError('ticket_moved', 'the ticket is no longer in the expected status', {
            fields: { ticket: id, expected: from, actual: edit.actual },
            details: `${id} has status "${edit.actual}", not "${from}": someone moved it meanwhile, so opsbeat left it alone.`,
          });
        case 'unreadable':
          throw unreadable(id, edit.problem);
      }
    });
  }

  async isTeamMember(team: string, user: string): Promise<boolean> {
    const members = Object.entries(this.teams).find(([name]) => name.toLowerCase() === team.toLowerCase())?.[1] ?? [];
    return members.some((m) => m.toLowerCase() === user.toLowerCase());
  }

  private file(id: string): string {
    return path.join(this.dir, `${id}.md`);
  }

  private async read(id: string): Promise<{ ticket: Ticket; statusKnown: boolean } | undefined> {
    const file = this.file(id);
    try {
      const [text, info] = await Promise.all([readFile(file, 'utf8'), stat(file)]);
      const parsed = parseTicketFile(text);
      return { ticket: ticketFrom(parsed, id, info.mtime), statusKnown: parsed.statusKnown };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw boardError(err, 'a ticket file cannot be read', `Check the permissions of ${id}.md in the board folder.`);
    }
  }

  /** Read, transform, write atomically; if the file changed while we worked, start again from the new text. */
  private async update<T>(id: string, change: (file: TicketFile) => { result: T; text?: string }): Promise<T> {
    const target = this.file(id);
    return this.queue.run(target, async () => {
      for (let attempt = 0; attempt < WRITE_ATTEMPTS; attempt++) {
        const before = await readText(target, id);
        const { result, text } = change(parseTicketFile(before));
        if (text === undefined) return result;
        const temp = path.join(this.dir, `.${id}.md.${randomUUID()}.tmp`);
        try {
          await writeDurably(temp, text);
          if ((await readText(target, id)) !== before) continue;
          await rename(temp, target);
          return result;
        } catch (err) {
          throw boardError(err, 'a ticket file cannot be written', `Check that opsbeat may write to the board folder and to ${id}.md.`);
        } finally {
          await rm(temp, { force: true });
        }
      }
      throw new ExternalError('ticket_busy', 'the ticket file kept changing while opsbeat wrote to it', {
        service: 'board',
        retryable: true,
        fields: { ticket: id },
        details: `${id}.md changed ${WRITE_ATTEMPTS} times while opsbeat tried to update it; it tries again on the next heartbeat.`,
      });
    });
  }
}

function isTicketFileName(name: string): boolean {
  return name.endsWith('.md') && !name.startsWith('.') && name.toLowerCase() !== 'readme.md';
}

/** OPS-2 before OPS-10. */
function byTicketId(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}

function checkId(id: string): void {
  if (!TICKET_ID.test(id)) {
    throw new OpsbeatError('ticket_id_invalid', 'not a file-board ticket id', {
      fields: { ticket: id },
      details: 'File-board ticket ids are a project key, a dash and a number, e.g. `OPS-101` (the file is `OPS-101.md`).',
    });
  }
}

function misnamed(id: string): TicketProblem {
  return {
    line: 1,
    message: `The file name \`${id}.md\` is not a ticket id: rename it to a project key, a dash and a number, e.g. \`OPS-101.md\`.`,
  };
}

/** One file that cannot be read (permissions, a folder named like a ticket) must not hide the others. */
function unreadableFile(id: string, err: unknown): { ticket: Ticket; statusKnown: boolean } {
  const reason = err instanceof OpsbeatError ? String(err.fields.errno ?? err.code) : 'unknown error';
  const ticket: Ticket = {
    id,
    title: id,
    status: 'other',
    body: '',
    labels: [],
    comments: [],
    updatedAt: new Date(0),
    problems: [{ line: 1, message: `opsbeat cannot read this file (${reason}): check that it is a readable file.` }],
  };
  return { ticket, statusKnown: false };
}

function notFound(id: string): OpsbeatError {
  return new OpsbeatError('ticket_not_found', 'the ticket does not exist on the board', {
    fields: { ticket: id },
    details: `There is no file ${id}.md in the board folder.`,
  });
}

function unreadable(id: string, problem: TicketProblem | undefined): OpsbeatError {
  return new OpsbeatError('ticket_unreadable', 'the ticket file cannot be read', {
    fields: { ticket: id, file: `${id}.md`, line: problem?.line },
    details: `${id}.md, line ${problem?.line ?? 1}: ${problem?.message ?? 'the front matter cannot be read.'}`,
  });
}

async function readText(file: string, id: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw notFound(id);
    throw boardError(err, 'a ticket file cannot be read', `Check the permissions of ${id}.md in the board folder.`);
  }
}

async function writeDurably(file: string, text: string): Promise<void> {
  const handle = await open(file, 'wx');
  try {
    await handle.writeFile(text, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Node's fs errors become ExternalError `board_io_failed`; our own errors pass through. */
function boardError(err: unknown, message: string, details: string): OpsbeatError {
  if (err instanceof OpsbeatError) return err;
  const code = (err as NodeJS.ErrnoException).code;
  return new ExternalError('board_io_failed', message, { service: 'board', cause: err, details, fields: code ? { errno: code } : {} });
}
