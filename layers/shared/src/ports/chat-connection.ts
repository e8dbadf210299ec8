/** One connection to Twitch chat (IRC), as the IRC worker drives it. */
export interface ChatConnectionHandlers {
  /** Registration finished (the 001 welcome); joins may be sent from now on. */
  onRegistered(nick: string): void;
  /** Every raw line from the server, tags unparsed. */
  onLine(line: string): void;
  /** The connection is gone (network failure, server close, our own quit). */
  onClose(): void;
}

export interface ChatConnection {
  join(channel: string): void;
  part(channel: string): void;
  /** Closes the connection; onClose follows. */
  quit(): void;
}

/** Opens a new connection; the handlers see everything that happens on it. */
export type ChatConnector = (handlers: ChatConnectionHandlers) => ChatConnection;
