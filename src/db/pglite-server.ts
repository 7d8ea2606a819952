import net from 'node:net';
import type { PGlite } from '@electric-sql/pglite';

/**
 * Serves one PGlite over the PostgreSQL wire protocol to several pg connections.
 *
 * PGlite is a single backend, so connections take turns. pglite-socket's server takes turns per
 * protocol *message*; outside a transaction that lets connection B's Parse land between A's
 * Parse and Bind, and A then binds B's statement (seen here: "bind message supplies 2
 * parameters, but prepared statement requires 3"). This server takes turns per *unit*: every
 * message up to a Sync (extended protocol) or a Query (simple protocol), and while a transaction
 * is open it serves only the connection that opened it.
 */

const SSL_REQUEST = 80877103;
const CANCEL_REQUEST = 80877102;
const PROTOCOL_3 = 196608;
// Messages that end a unit: Sync, Query, Flush, Terminate, CopyDone, CopyFail.
const UNIT_END = new Set(['S', 'Q', 'H', 'X', 'c', 'f']);

interface Unit {
  conn: Connection;
  messages: Uint8Array[];
}

class Connection {
  buffer: Buffer = Buffer.alloc(0);
  pending: Uint8Array[] = [];
  started = false;
  closed = false;
  constructor(readonly socket: net.Socket) {}
}

export class PgliteServer {
  private readonly server: net.Server;
  private readonly queue: Unit[] = [];
  private readonly connections = new Set<Connection>();
  private owner: Connection | null = null;
  private running = false;

  constructor(
    private readonly db: PGlite,
    readonly maxConnections: number,
  ) {
    this.server = net.createServer((socket) => this.accept(socket));
    this.server.maxConnections = maxConnections;
  }

  listen(port: number, host: string): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () =>
        resolve((this.server.address() as net.AddressInfo).port),
      );
    });
  }

  async close(): Promise<void> {
    for (const c of this.connections) c.socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    while (this.running) await new Promise((r) => setTimeout(r, 5));
  }

  private accept(socket: net.Socket): void {
    const conn = new Connection(socket);
    this.connections.add(conn);
    socket.setNoDelay(true);
    socket.on('data', (chunk) => this.receive(conn, chunk));
    socket.on('error', () => socket.destroy());
    socket.on('close', () => void this.drop(conn));
  }

  private receive(conn: Connection, chunk: Buffer): void {
    conn.buffer = conn.buffer.length ? Buffer.concat([conn.buffer, chunk]) : chunk;
    for (;;) {
      const buf = conn.buffer;
      if (!conn.started) {
        if (buf.length < 8) return;
        const length = buf.readInt32BE(0);
        const code = buf.readInt32BE(4);
        if (code === SSL_REQUEST) {
          conn.socket.write('N');
          conn.buffer = buf.subarray(8);
          continue;
        }
        if (code === CANCEL_REQUEST) {
          conn.socket.destroy(); // cancellation is not supported by a single backend
          return;
        }
        if (buf.length < length) return;
        if (code !== PROTOCOL_3) {
          conn.socket.destroy();
          return;
        }
        conn.started = true;
        this.enqueue({ conn, messages: [new Uint8Array(buf.subarray(0, length))] });
        conn.buffer = buf.subarray(length);
        continue;
      }
      if (buf.length < 5) return;
      const length = 1 + buf.readInt32BE(1);
      if (buf.length < length) return;
      const type = String.fromCharCode(buf[0]!);
      conn.pending.push(new Uint8Array(buf.subarray(0, length)));
      conn.buffer = buf.subarray(length);
      if (type === 'X') {
        conn.pending = [];
        conn.socket.end();
        return;
      }
      if (UNIT_END.has(type)) {
        this.enqueue({ conn, messages: conn.pending });
        conn.pending = [];
      }
    }
  }

  private enqueue(unit: Unit): void {
    this.queue.push(unit);
    void this.run();
  }

  private next(): Unit | undefined {
    // While a transaction is open only its connection may speak.
    const i = this.owner ? this.queue.findIndex((u) => u.conn === this.owner) : 0;
    return i >= 0 ? this.queue.splice(i, 1)[0] : undefined;
  }

  private async run(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      for (let unit = this.next(); unit; unit = this.next()) {
        const { conn, messages } = unit;
        if (conn.closed) continue;
        await this.db.runExclusive(async () => {
          for (const message of messages) {
            await this.db.execProtocolRawStream(message, {
              onRawData: (data) => {
                if (!conn.closed && data.length) conn.socket.write(Buffer.from(data));
              },
            });
          }
        });
        this.owner = this.db.isInTransaction() ? conn : null;
      }
    } finally {
      this.running = false;
    }
  }

  /** A connection gone mid-transaction must not leave the backend in its transaction. */
  private async drop(conn: Connection): Promise<void> {
    conn.closed = true;
    this.connections.delete(conn);
    for (let i = this.queue.length - 1; i >= 0; i--)
      if (this.queue[i]!.conn === conn) this.queue.splice(i, 1);
    if (this.owner === conn) {
      while (this.running) await new Promise((r) => setTimeout(r, 1));
      if (this.owner === conn) {
        await this.db.exec('ROLLBACK').catch(() => undefined);
        this.owner = null;
      }
      void this.run();
    }
  }
}
