import net from 'node:net';

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** One TCP connection speaking HTTP/1.1 by hand: full control over keep-alive and what is written when. */
export class RawConnection {
  private buffer = Buffer.alloc(0);
  private waiting: ((r: RawResponse) => void) | undefined;
  private failed: ((e: Error) => void) | undefined;
  /** The pending request was HEAD: its response has headers only. */
  private head = false;
  readonly closed: Promise<void>;
  private constructor(readonly socket: net.Socket) {
    socket.on('data', (chunk) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      this.tryParse();
    });
    socket.on('error', (e) => this.failed?.(e));
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    socket.once('close', () => this.failed?.(new Error('connection closed before a response')));
  }

  static connect(port: number, host = '127.0.0.1'): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(port, host, () => resolve(new RawConnection(socket)));
      socket.once('error', reject);
    });
  }

  /** Write raw bytes; resolves with the next complete response. */
  send(raw: string): Promise<RawResponse> {
    const response = new Promise<RawResponse>((resolve, reject) => {
      this.waiting = resolve;
      this.failed = reject;
    });
    this.head = raw.startsWith('HEAD ');
    this.socket.write(raw);
    return response;
  }

  get(path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<RawResponse> {
    const lines = Object.entries({ host: 'localhost', ...headers }).map(([k, v]) => `${k}: ${v}\r\n`);
    return this.send(`${method} ${path} HTTP/1.1\r\n${lines.join('')}\r\n`);
  }

  private tryParse(): void {
    const end = this.buffer.indexOf('\r\n\r\n');
    if (end === -1 || !this.waiting) return;
    const head = this.buffer.subarray(0, end).toString('latin1').split('\r\n');
    const status = Number(head[0]?.split(' ')[1]);
    const headers: Record<string, string> = {};
    for (const line of head.slice(1)) {
      const i = line.indexOf(':');
      headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
    }
    const length = this.head ? 0 : Number(headers['content-length'] ?? 0);
    if (this.buffer.length < end + 4 + length) return;
    const body = this.buffer.subarray(end + 4, end + 4 + length).toString();
    this.buffer = this.buffer.subarray(end + 4 + length);
    const resolve = this.waiting;
    this.waiting = undefined;
    this.failed = undefined;
    resolve({ status, headers, body });
  }

  close(): void {
    this.socket.destroy();
  }
}
