import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';

/**
 * A strict local Socket Mode endpoint for tests: a WebSocket server (RFC 6455) on node:http's
 * `upgrade` event, enough of the protocol for `@slack/socket-mode`'s client (undici's WebSocket).
 * Text frames from the server are sent unmasked; frames from the client must be masked. Pings are
 * answered with pongs, a close frame with a close frame and the end of the TCP connection.
 * Each connection gets `{"type":"hello"}`; `pushEvent` sends an `events_api` envelope to the
 * newest connection and `waitForAck` resolves when the client answers `{ envelope_id }`.
 *
 *   const socket = await FakeSocketServer.start();
 *   const slack = await FakeSlack.start({ socketModeUrl: socket.url });
 *   await socket.waitForConnection();
 *   const envelopeId = socket.pushEvent({ type: 'app_mention', user, text, ts, channel });
 *   await socket.waitForAck(envelopeId);
 *
 * `verify()` fails on an unexpected path, an unmasked or unparsable client frame, an ack of an
 * envelope never sent, or an envelope that was never acknowledged.
 */

const WEBSOCKET_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const OPCODE = { continuation: 0x0, text: 0x1, binary: 0x2, close: 0x8, ping: 0x9, pong: 0xa } as const;

/** What the client sent: acknowledgements (`{ envelope_id, payload }`) and anything else, parsed. */
export type ClientMessage = Record<string, unknown>;

interface Connection {
  socket: Duplex;
  /** Bytes received and not yet a whole frame. */
  buffered: Buffer;
  /** Payloads of a fragmented message so far, with its opcode. */
  fragments: { opcode: number; parts: Buffer[] } | undefined;
  closeSent: boolean;
  closed: Promise<void>;
}

export interface SocketEnvelopeOptions {
  /** Default: a fresh id. A redelivery in Slack carries its own envelope id and `retry_attempt`. */
  envelopeId?: string;
  retryAttempt?: number;
  retryReason?: string;
}

export class FakeSocketServer {
  /** Every text message from a client, parsed, in order. */
  readonly received: ClientMessage[] = [];
  readonly unexpected: string[] = [];
  /** Called with each client message as it arrives, before any waiter wakes. */
  onMessage: ((message: ClientMessage) => void) | undefined;
  private readonly connections: Connection[] = [];
  private readonly pushed: string[] = [];
  private readonly waiters: (() => void)[] = [];
  private nextConnection = 0;

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<FakeSocketServer> {
    let fake: FakeSocketServer | undefined;
    const server = createServer((req, res) => {
      fake!.unexpected.push(`${req.method} ${req.url} (not an upgrade)`);
      res.writeHead(426, { 'content-type': 'text/plain' }).end('upgrade required');
    });
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => fake!.upgrade(req, socket, head));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    fake = new FakeSocketServer(server, `ws://127.0.0.1:${port}/link`);
    return fake;
  }

  /** Connections that are open now. */
  get openConnections(): number {
    return this.connections.filter((c) => !c.socket.destroyed).length;
  }

  /** How many connections were ever opened. */
  get connectionCount(): number {
    return this.nextConnection;
  }

  /** Envelope ids the client acknowledged, in order (one per ack, so a double ack shows twice). */
  acks(): string[] {
    return this.received.flatMap((m) => (typeof m.envelope_id === 'string' ? [m.envelope_id] : []));
  }

  /** Send an `events_api` envelope with this event to the newest open connection; returns its envelope id. */
  pushEvent(event: Record<string, unknown>, options: SocketEnvelopeOptions = {}): string {
    const envelopeId = options.envelopeId ?? randomUUID();
    this.pushed.push(envelopeId);
    this.send({
      envelope_id: envelopeId,
      type: 'events_api',
      payload: {
        token: 'verification-token-unused',
        team_id: 'T0TEAM',
        api_app_id: 'A0TEST',
        event: { event_ts: event.ts, ...event },
        type: 'event_callback',
        event_id: `Ev${envelopeId.replace(/-/g, '').slice(0, 10).toUpperCase()}`,
        event_time: Math.floor(Date.now() / 1000),
      },
      accepts_response_payload: false,
      ...(options.retryAttempt !== undefined ? { retry_attempt: options.retryAttempt, retry_reason: options.retryReason ?? 'timeout' } : {}),
    });
    return envelopeId;
  }

  /** Send any JSON message as a text frame to the newest open connection. */
  send(message: unknown): void {
    const connection = this.newest();
    if (!connection) throw new Error('fake Socket Mode: no open connection to send to');
    connection.socket.write(frame(OPCODE.text, Buffer.from(JSON.stringify(message), 'utf8')));
  }

  /** Resolves when `count` connections have been opened (and greeted) in all. */
  async waitForConnection(count = 1): Promise<void> {
    await this.until(() => this.nextConnection >= count && this.openConnections > 0);
  }

  /** Resolves when the client has acknowledged this envelope. */
  async waitForAck(envelopeId: string): Promise<void> {
    await this.until(() => this.acks().includes(envelopeId));
  }

  /** Resolves when every connection ever opened is closed on both sides. */
  async waitForAllClosed(): Promise<void> {
    await Promise.all(this.connections.map((c) => c.closed));
  }

  /** Throws on anything a real Slack would not have accepted, and on an envelope never acknowledged. */
  verify(): void {
    const unacked = this.pushed.filter((id) => !this.acks().includes(id));
    if (this.unexpected.length || unacked.length) {
      throw new Error(`fake Socket Mode: unexpected [${this.unexpected.join(', ')}], unacknowledged envelopes [${unacked.join(', ')}]`);
    }
  }

  /** Drop every connection and stop listening. */
  async close(): Promise<void> {
    for (const c of this.connections) c.socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const key = req.headers['sec-websocket-key'];
    const valid =
      req.url === '/link' &&
      req.headers.upgrade?.toLowerCase() === 'websocket' &&
      req.headers['sec-websocket-version'] === '13' &&
      typeof key === 'string' &&
      Buffer.from(key, 'base64').length === 16;
    if (!valid) {
      this.unexpected.push(`upgrade ${req.url} refused`);
      socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
      return;
    }
    const accept = createHash('sha1').update(`${key}${WEBSOCKET_GUID}`).digest('base64');
    socket.write(
      ['HTTP/1.1 101 Switching Protocols', 'Upgrade: websocket', 'Connection: Upgrade', `Sec-WebSocket-Accept: ${accept}`, '', ''].join('\r\n'),
    );
    this.nextConnection += 1;
    const connection: Connection = {
      socket,
      buffered: Buffer.alloc(0),
      fragments: undefined,
      closeSent: false,
      closed: new Promise((resolve) => socket.once('close', () => resolve())),
    };
    this.connections.push(connection);
    socket.on('error', () => socket.destroy());
    socket.on('data', (chunk: Buffer) => this.receive(connection, chunk));
    if (head.length > 0) this.receive(connection, head);
    socket.write(
      frame(
        OPCODE.text,
        Buffer.from(
          JSON.stringify({
            type: 'hello',
            num_connections: 1,
            debug_info: { host: 'fake-socket-mode', build_number: 1, approximate_connection_time: 18060 },
            connection_info: { app_id: 'A0TEST' },
          }),
        ),
      ),
    );
    this.wake();
  }

  private receive(connection: Connection, chunk: Buffer): void {
    connection.buffered = Buffer.concat([connection.buffered, chunk]);
    for (;;) {
      const parsed = parseFrame(connection.buffered);
      if (!parsed) return;
      connection.buffered = connection.buffered.subarray(parsed.length);
      if (!parsed.masked) {
        this.unexpected.push(`unmasked client frame (opcode ${parsed.opcode})`);
        connection.socket.destroy();
        return;
      }
      this.handleFrame(connection, parsed.fin, parsed.opcode, parsed.payload);
    }
  }

  private handleFrame(connection: Connection, fin: boolean, opcode: number, payload: Buffer): void {
    switch (opcode) {
      case OPCODE.ping:
        connection.socket.write(frame(OPCODE.pong, payload));
        return;
      case OPCODE.pong:
        return;
      case OPCODE.close:
        // Echo the status code, then end the TCP connection: the server closes first (RFC 6455 7.1.1).
        if (!connection.closeSent) connection.socket.write(frame(OPCODE.close, payload.subarray(0, 2)));
        connection.closeSent = true;
        connection.socket.end();
        this.wake();
        return;
      case OPCODE.continuation:
        if (!connection.fragments) {
          this.unexpected.push('continuation frame without a first fragment');
          return;
        }
        connection.fragments.parts.push(payload);
        break;
      default:
        connection.fragments = { opcode, parts: [payload] };
    }
    if (!fin) return;
    const message = connection.fragments!;
    connection.fragments = undefined;
    if (message.opcode !== OPCODE.text) {
      this.unexpected.push(`client frame with opcode ${message.opcode}`);
      return;
    }
    const text = Buffer.concat(message.parts).toString('utf8');
    let parsed: ClientMessage;
    try {
      parsed = JSON.parse(text) as ClientMessage;
    } catch {
      this.unexpected.push(`unparsable client message ${JSON.stringify(text.slice(0, 80))}`);
      return;
    }
    if (typeof parsed.envelope_id === 'string' && !this.pushed.includes(parsed.envelope_id)) {
      this.unexpected.push(`ack of an envelope never sent (${parsed.envelope_id})`);
    }
    this.received.push(parsed);
    this.onMessage?.(parsed);
    this.wake();
  }

  private newest(): Connection | undefined {
    return this.connections.filter((c) => !c.socket.destroyed && !c.closeSent).at(-1);
  }

  private until(done: () => boolean): Promise<void> {
    if (done()) return Promise.resolve();
    return new Promise((resolve) => {
      const check = () => (done() ? resolve() : this.waiters.push(check));
      this.waiters.push(check);
    });
  }

  private wake(): void {
    for (const waiter of this.waiters.splice(0)) waiter();
  }
}

/** One server frame: FIN set, never masked (RFC 6455 5.1). */
function frame(opcode: number, payload: Buffer): Buffer {
  const length = payload.length;
  const header = length < 126 ? Buffer.alloc(2) : length < 65_536 ? Buffer.alloc(4) : Buffer.alloc(10);
  header[0] = 0x80 | opcode;
  if (length < 126) {
    header[1] = length;
  } else if (length < 65_536) {
    header[1] = 126;
    header.writeUInt16BE(length, 2);
  } else {
    header[1] = 127;
    header.writeBigUInt64BE(BigInt(length), 2);
  }
  return Buffer.concat([header, payload]);
}

/** One frame from the front of `buffer`, unmasked; undefined while it is not all there yet. */
function parseFrame(buffer: Buffer): { fin: boolean; opcode: number; masked: boolean; payload: Buffer; length: number } | undefined {
  if (buffer.length < 2) return undefined;
  const fin = (buffer[0]! & 0x80) !== 0;
  const opcode = buffer[0]! & 0x0f;
  const masked = (buffer[1]! & 0x80) !== 0;
  let length = buffer[1]! & 0x7f;
  let offset = 2;
  if (length === 126) {
    if (buffer.length < 4) return undefined;
    length = buffer.readUInt16BE(2);
    offset = 4;
  } else if (length === 127) {
    if (buffer.length < 10) return undefined;
    length = Number(buffer.readBigUInt64BE(2));
    offset = 10;
  }
  const maskEnd = offset + (masked ? 4 : 0);
  if (buffer.length < maskEnd + length) return undefined;
  const payload = Buffer.from(buffer.subarray(maskEnd, maskEnd + length));
  if (masked) {
    const mask = buffer.subarray(offset, maskEnd);
    for (let i = 0; i < payload.length; i += 1) payload[i] = payload[i]! ^ mask[i % 4]!;
  }
  return { fin, opcode, masked, payload, length: maskEnd + length };
}
