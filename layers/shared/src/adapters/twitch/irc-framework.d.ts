/** The part of irc-framework 4.x (CommonJS, no bundled types) that the chat connection uses. */
declare module 'irc-framework' {
  import type { EventEmitter } from 'node:events';

  export interface ClientOptions {
    host: string;
    port: number;
    tls?: boolean;
    rejectUnauthorized?: boolean;
    nick: string;
    username?: string;
    gecos?: string;
    password?: string;
    auto_reconnect?: boolean;
    ping_interval?: number;
    ping_timeout?: number;
    encoding?: string;
  }

  export class Client extends EventEmitter {
    constructor(options?: Partial<ClientOptions>);
    readonly connected: boolean;
    readonly network: { cap: { enabled: string[] } };
    requestCap(cap: string | string[]): void;
    connect(options?: ClientOptions): void;
    raw(...args: string[]): void;
    join(channel: string, key?: string): void;
    part(channel: string, message?: string): void;
    quit(message?: string): void;
    on(event: 'raw', listener: (event: { line: string; from_server: boolean }) => void): this;
    on(event: 'registered' | 'connected', listener: (event: { nick: string }) => void): this;
    on(event: 'close' | 'socket close', listener: (hadError?: unknown) => void): this;
    on(event: string, listener: (...args: unknown[]) => void): this;
  }

  const IrcFramework: { Client: typeof Client };
  export default IrcFramework;
}
