/**
 * The deployment check's RDS Proxy (and cluster endpoint) stand-in, in front of its embedded
 * PostgreSQL. It serves TLS only, as the proxy does (requireTLS), with a certificate for the
 * host the functions are given, and asks every client for its password in clear (inside TLS).
 *
 * - A password that is an IAM auth token (a function or the IRC task logging in as its DB_USER)
 *   is checked as RDS would (./iam-auth-token.ts: signed by the stand-in credentials, for this
 *   host and port and that user, not expired). The stand-in then logs in to PostgreSQL as that
 *   role with a password of its own, set on the role the first time (never a superuser: a token
 *   never becomes the owner). A refused token ends the connection with 28P01 and the reason.
 * - Any other password goes to PostgreSQL as given (Migrate's owner secret).
 *
 * After the login the bytes are relayed unchanged both ways.
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { createSecureContext, TLSSocket, connect as tlsConnect } from 'node:tls';
import postgres from 'postgres';
import { refuseIamToken, type TokenExpectation } from './iam-auth-token.ts';

export interface DatabaseProxyOptions {
  /** The host name clients connect to (and sign their tokens for). */
  readonly host: string;
  readonly tls: { readonly certificate: string; readonly privateKey: string };
  /** The embedded PostgreSQL: TLS only, verified against `ca`. */
  readonly upstream: { readonly port: number; readonly ca: string };
  /** A superuser URL of the upstream, to give a role its password. */
  readonly adminUrl: string;
  readonly region: string;
  readonly credentials: TokenExpectation['credentials'];
}

export interface DatabaseProxy {
  readonly port: number;
  /** `user: reason` of every token refused, for the report. */
  readonly refusals: readonly string[];
  close(): Promise<void>;
}

const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;

export async function startDatabaseProxy(options: DatabaseProxyOptions): Promise<DatabaseProxy> {
  const refusals: string[] = [];
  const passwords = new Map<string, Promise<string>>();
  const admin = postgres(options.adminUrl, { max: 1, onnotice: () => {}, ssl: { ca: options.upstream.ca } });
  const sockets = new Set<Socket>();
  const secureContext = createSecureContext({ cert: options.tls.certificate, key: options.tls.privateKey });
  let port = 0;

  /** The role's password at the stand-in, set the first time a token logs in as it. */
  const rolePassword = (user: string): Promise<string> => {
    let password = passwords.get(user);
    if (password === undefined) {
      password = (async () => {
        const [role] = await admin<{ rolsuper: boolean; rolcanlogin: boolean }[]>`
          select rolsuper, rolcanlogin from pg_roles where rolname = ${user}`;
        if (role === undefined) throw new Error(`role ${user} does not exist`);
        if (role.rolsuper || !role.rolcanlogin) throw new Error(`role ${user} may not log in with a token`);
        const generated = randomBytes(24).toString('base64url');
        await admin.unsafe(`alter role "${user}" with password '${generated}'`);
        return generated;
      })();
      passwords.set(user, password);
      password.catch(() => passwords.delete(user));
    }
    return password;
  };

  const serve = async (raw: Socket) => {
    const client = new MessageReader(raw);
    let first = await client.startup();
    if (first.code === GSSENC_REQUEST) {
      raw.write('N');
      first = await client.startup();
    }
    if (first.code !== SSL_REQUEST) return refuse(raw, '08P01', 'this proxy requires TLS');
    raw.write('S');
    client.detach();
    const secure = new TLSSocket(raw, { isServer: true, secureContext });
    sockets.add(secure);
    const reader = new MessageReader(secure);
    const startup = await reader.startup();
    const user = startupParameters(startup.body).get('user') ?? '';
    secure.write(message('R', int32(3)));
    const answer = await reader.message();
    if (answer.type !== 'p') return refuse(secure, '08P01', 'expected a password message');
    const given = answer.body.subarray(0, answer.body.indexOf(0)).toString('utf8');
    let password = given;
    if (given.includes('X-Amz-Signature=')) {
      const reason = refuseIamToken(given, {
        host: options.host,
        port,
        user,
        region: options.region,
        credentials: options.credentials,
        nowMs: Date.now(),
      });
      if (reason !== undefined) {
        refusals.push(`${user}: ${reason}`);
        return refuse(secure, '28P01', `IAM authentication failed for user "${user}": ${reason}`);
      }
      try {
        password = await rolePassword(user);
      } catch (error) {
        refusals.push(`${user}: ${(error as Error).message}`);
        return refuse(
          secure,
          '28P01',
          `IAM authentication failed for user "${user}": ${(error as Error).message}`,
        );
      }
    }
    const upstream = await openUpstream(options, startup.raw, user, password);
    sockets.add(upstream.socket);
    if ('error' in upstream) {
      secure.end(upstream.error);
      return;
    }
    secure.write(message('R', int32(0)));
    const rest = reader.detach();
    if (rest.length > 0) upstream.socket.write(rest);
    if (upstream.rest.length > 0) secure.write(upstream.rest);
    secure.pipe(upstream.socket);
    upstream.socket.pipe(secure);
    const end = () => {
      secure.destroy();
      upstream.socket.destroy();
    };
    secure.on('close', end).on('error', end);
    upstream.socket.on('close', end).on('error', end);
  };

  const server: Server = createServer((raw) => {
    sockets.add(raw);
    raw.on('close', () => sockets.delete(raw));
    raw.on('error', () => raw.destroy());
    serve(raw).catch(() => raw.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    port,
    refusals,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await admin.end({ timeout: 5 });
    },
  };
}

type Upstream =
  | { readonly socket: TLSSocket; readonly rest: Buffer }
  | { readonly socket: TLSSocket; readonly error: Buffer };

/** Logs in to the embedded PostgreSQL with the client's startup message and `password`. */
async function openUpstream(
  options: DatabaseProxyOptions,
  startup: Buffer,
  user: string,
  password: string,
): Promise<Upstream> {
  const raw = connect(options.upstream.port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => raw.once('connect', resolve).once('error', reject));
  const plain = new MessageReader(raw);
  raw.write(Buffer.concat([int32(8), int32(SSL_REQUEST)]));
  await plain.bytes(1);
  plain.detach();
  const socket = tlsConnect({ socket: raw, ca: options.upstream.ca, servername: options.host });
  await new Promise<void>((resolve, reject) => socket.once('secureConnect', resolve).once('error', reject));
  const reader = new MessageReader(socket);
  socket.write(startup);
  let scram: Scram | undefined;
  for (;;) {
    const reply = await reader.message();
    if (reply.type === 'E') return { socket, error: reply.raw };
    if (reply.type !== 'R') continue;
    const code = reply.body.readInt32BE(0);
    if (code === 0) return { socket, rest: reader.detach() };
    if (code === 3) socket.write(message('p', cstring(password)));
    else if (code === 5) {
      const inner = createHash('md5')
        .update(password + user)
        .digest('hex');
      const outer = createHash('md5').update(inner).update(reply.body.subarray(4, 8)).digest('hex');
      socket.write(message('p', cstring(`md5${outer}`)));
    } else if (code === 10) {
      scram = new Scram(password);
      const first = Buffer.from(scram.clientFirst());
      socket.write(message('p', Buffer.concat([cstring('SCRAM-SHA-256'), int32(first.length), first])));
    } else if (code === 11 && scram !== undefined) {
      socket.write(message('p', Buffer.from(scram.clientFinal(reply.body.subarray(4).toString('utf8')))));
    }
    // 12 (SASL final) needs no answer: AuthenticationOk or an error follows.
  }
}

/** The client side of SCRAM-SHA-256 (RFC 5802, 7677), without channel binding. */
class Scram {
  private readonly nonce = randomBytes(18).toString('base64');
  private readonly firstBare = `n=*,r=${this.nonce}`;

  constructor(private readonly password: string) {}

  clientFirst(): string {
    return `n,,${this.firstBare}`;
  }

  clientFinal(serverFirst: string): string {
    const fields = new Map(serverFirst.split(',').map((f) => [f.slice(0, 1), f.slice(2)] as const));
    const salted = pbkdf2Sync(
      this.password,
      Buffer.from(fields.get('s') ?? '', 'base64'),
      Number(fields.get('i')),
      32,
      'sha256',
    );
    const clientKey = createHmac('sha256', salted).update('Client Key').digest();
    const storedKey = createHash('sha256').update(clientKey).digest();
    const withoutProof = `c=biws,r=${fields.get('r')}`;
    const signature = createHmac('sha256', storedKey)
      .update(`${this.firstBare},${serverFirst},${withoutProof}`)
      .digest();
    const proof = Buffer.from(clientKey.map((byte, i) => byte ^ (signature[i] ?? 0)));
    return `${withoutProof},p=${proof.toString('base64')}`;
  }
}

function refuse(socket: Socket, code: string, text: string): void {
  const fields = Buffer.concat([
    Buffer.from('SFATAL\0'),
    Buffer.from(`C${code}\0`),
    Buffer.from(`M${text}\0`),
    Buffer.from([0]),
  ]);
  socket.end(message('E', fields));
}

function startupParameters(body: Buffer): Map<string, string> {
  const parts = body.subarray(4).toString('utf8').split('\0');
  const parameters = new Map<string, string>();
  for (let i = 0; i + 1 < parts.length; i += 2)
    if (parts[i]) parameters.set(parts[i] as string, parts[i + 1] ?? '');
  return parameters;
}

function int32(value: number): Buffer {
  const buffer = Buffer.alloc(4);
  buffer.writeInt32BE(value);
  return buffer;
}

function cstring(text: string): Buffer {
  return Buffer.concat([Buffer.from(text, 'utf8'), Buffer.from([0])]);
}

function message(type: string, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from(type), int32(body.length + 4), body]);
}

/** Reads PostgreSQL protocol messages off a socket until detached (then the caller relays). */
class MessageReader {
  private buffered = Buffer.alloc(0);
  private waiting: (() => void) | undefined;
  private failure: Error | undefined;
  private readonly onData = (chunk: Buffer) => {
    this.buffered = Buffer.concat([this.buffered, chunk]);
    this.waiting?.();
  };
  private readonly onEnd = () => {
    this.failure = new Error('the connection closed during the login');
    this.waiting?.();
  };

  constructor(private readonly socket: Socket) {
    socket.on('data', this.onData);
    socket.on('close', this.onEnd);
    socket.on('error', this.onEnd);
  }

  async bytes(count: number): Promise<Buffer> {
    while (this.buffered.length < count) {
      if (this.failure !== undefined) throw this.failure;
      await new Promise<void>((resolve) => {
        this.waiting = resolve;
      });
      this.waiting = undefined;
    }
    const out = this.buffered.subarray(0, count);
    this.buffered = this.buffered.subarray(count);
    return out;
  }

  /** A startup-phase message: length, then a code (protocol version or request). */
  async startup(): Promise<{ code: number; body: Buffer; raw: Buffer }> {
    const head = await this.bytes(8);
    const body = await this.bytes(head.readInt32BE(0) - 8);
    return {
      code: head.readInt32BE(4),
      body: Buffer.concat([head.subarray(4), body]),
      raw: Buffer.concat([head, body]),
    };
  }

  async message(): Promise<{ type: string; body: Buffer; raw: Buffer }> {
    const head = await this.bytes(5);
    const body = await this.bytes(head.readInt32BE(1) - 4);
    return { type: String.fromCharCode(head[0] ?? 0), body, raw: Buffer.concat([head, body]) };
  }

  /** Stops reading and hands back what was read past the last message. */
  detach(): Buffer {
    this.socket.off('data', this.onData);
    this.socket.off('close', this.onEnd);
    this.socket.off('error', this.onEnd);
    const rest = this.buffered;
    this.buffered = Buffer.alloc(0);
    return rest;
  }
}
