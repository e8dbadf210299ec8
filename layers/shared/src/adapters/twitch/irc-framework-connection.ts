/**
 * ChatConnection on irc-framework: TCP or TLS to Twitch chat (irc.chat.twitch.tv:6697 with
 * TLS in production, the local fixture in plain TCP), asking for twitch.tv/tags,
 * twitch.tv/commands and twitch.tv/membership. Lines are handed over raw: tags are parsed by
 * core/attention/irc-message.ts, because irc-framework's own tag decoding mishandles `\S`-like
 * escapes. Reconnecting is the worker's job, so the library's own reconnect is off.
 */
import IrcFramework from 'irc-framework';
import type { ChatConnection, ChatConnectionHandlers, ChatConnector } from '../../ports/chat-connection.ts';

export const TWITCH_CAPABILITIES = ['twitch.tv/tags', 'twitch.tv/commands', 'twitch.tv/membership'];

export interface IrcConnectionOptions {
  readonly host: string;
  readonly port: number;
  readonly tls: boolean;
  /** `justinfan<digits>` reads anonymously; otherwise the bot's login with `password`. */
  readonly nick: string;
  /** `oauth:<token>` for a logged-in bot; omitted for anonymous reading. */
  readonly password?: string;
}

export function ircFrameworkConnector(options: IrcConnectionOptions): ChatConnector {
  return (handlers: ChatConnectionHandlers): ChatConnection => {
    const client = new IrcFramework.Client();
    client.requestCap(TWITCH_CAPABILITIES);
    let closed = false;
    client.on('raw', (event) => {
      if (event.from_server) handlers.onLine(event.line);
    });
    client.on('registered', (event) => {
      // Capabilities are negotiated through CAP LS; a server that did not list them still
      // honours a direct request (Twitch documents CAP REQ as the way in).
      const missing = TWITCH_CAPABILITIES.filter((cap) => !client.network.cap.enabled.includes(cap));
      if (missing.length > 0) client.raw(`CAP REQ :${missing.join(' ')}`);
      handlers.onRegistered(event.nick);
    });
    // 'close' follows every end of the connection when the library does not reconnect itself.
    client.on('close', () => {
      if (closed) return;
      closed = true;
      client.removeAllListeners();
      handlers.onClose();
    });
    client.on('error', () => {});
    client.connect({
      host: options.host,
      port: options.port,
      tls: options.tls,
      nick: options.nick,
      username: options.nick,
      gecos: options.nick,
      ...(options.password === undefined ? {} : { password: options.password }),
      auto_reconnect: false,
      ping_interval: 30,
      ping_timeout: 120,
    });
    return {
      join: (channel) => client.join(`#${channel}`),
      part: (channel) => client.part(`#${channel}`),
      quit: () => client.quit('bye'),
    };
  };
}
