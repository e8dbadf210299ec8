import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { parseIrcLine } from '../../layers/shared/src/core/attention/irc-message.ts';
import { ChatScriptBuilder } from '../../local/chat-script.ts';
import { type IrcFixture, startIrcFixture } from '../../local/irc-fixture.ts';

/** A bare TCP client that records every line the server sends. */
async function rawClient(fixture: IrcFixture) {
  const socket: Socket = connect(fixture.port, fixture.host);
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  const lines: string[] = [];
  let buffer = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    buffer += chunk;
    const parts = buffer.split('\r\n');
    buffer = parts.pop() ?? '';
    lines.push(...parts);
  });
  const send = (line: string) => socket.write(`${line}\r\n`);
  const waitFor = async (predicate: (line: string) => boolean) => {
    for (let i = 0; i < 500; i++) {
      const found = lines.find(predicate);
      if (found !== undefined) return found;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error(`no such line; got ${JSON.stringify(lines)}`);
  };
  return { socket, lines, send, waitFor };
}

describe('IRC fixture', () => {
  let irc: IrcFixture;
  afterEach(() => irc.close());

  it('negotiates the three Twitch capabilities and welcomes the client after CAP END', async () => {
    irc = await startIrcFixture();
    const c = await rawClient(irc);
    c.send('CAP LS 302');
    c.send('PASS oauth:not-checked');
    c.send('NICK justinfan4242');
    expect(await c.waitFor((l) => l.includes(' CAP * LS '))).toBe(
      ':tmi.twitch.tv CAP * LS :twitch.tv/tags twitch.tv/commands twitch.tv/membership',
    );
    expect(c.lines.some((l) => l.includes(' 001 '))).toBe(false);
    c.send('CAP REQ :twitch.tv/tags twitch.tv/commands twitch.tv/membership');
    await c.waitFor((l) => l.includes('CAP * ACK :twitch.tv/tags twitch.tv/commands twitch.tv/membership'));
    c.send('CAP END');
    await c.waitFor((l) => l.includes(' 376 justinfan4242 '));
    expect(c.lines.filter((l) => / 00[1-4] | 37[256] /.test(l)).map((l) => l.split(' ')[1])).toEqual([
      '001',
      '002',
      '003',
      '004',
      '375',
      '372',
      '376',
    ]);
    c.send('PING :tmi.twitch.tv');
    await c.waitFor((l) => l === ':tmi.twitch.tv PONG tmi.twitch.tv :tmi.twitch.tv');
    c.socket.destroy();
  });

  it('echoes a JOIN with NAMES, USERSTATE and ROOMSTATE and delivers tagged lines to the channel', async () => {
    irc = await startIrcFixture();
    const c = await rawClient(irc);
    c.send('CAP REQ :twitch.tv/tags twitch.tv/commands twitch.tv/membership');
    c.send('CAP END');
    c.send('NICK justinfan1');
    c.send('JOIN #somechannel');
    await irc.waitForJoined(['somechannel']);
    await c.waitFor((l) => l.includes('ROOMSTATE #somechannel'));
    const commands = c.lines
      .map((l) => parseIrcLine(l)!.command)
      .filter((cmd) => !/^\d/.test(cmd) || cmd === '353' || cmd === '366');
    expect(commands.filter((cmd) => cmd !== 'CAP')).toEqual(['JOIN', '353', '366', 'USERSTATE', 'ROOMSTATE']);

    const script = new ChatScriptBuilder().sub('somechannel', 'new_subber');
    await irc.play(script.entries);
    const notice = parseIrcLine(await c.waitFor((l) => l.includes('USERNOTICE')))!;
    expect(notice.tags['msg-id']).toBe('sub');
    expect(notice.tags['login']).toBe('new_subber');
    c.socket.destroy();
  });

  it('strips tags and withholds USERNOTICE from a client that did not ask for the capabilities', async () => {
    irc = await startIrcFixture();
    const c = await rawClient(irc);
    c.send('NICK justinfan2');
    c.send('JOIN #somechannel');
    await irc.waitForJoined(['somechannel']);
    const script = new ChatScriptBuilder()
      .sub('somechannel', 'new_subber')
      .chat('somechannel', 'viewer_one', 'hi');
    await irc.play(script.entries);
    const privmsg = await c.waitFor((l) => l.includes('PRIVMSG'));
    expect(privmsg).toBe(':viewer_one!viewer_one@viewer_one.tmi.twitch.tv PRIVMSG #somechannel :hi');
    expect(c.lines.some((l) => l.includes('USERNOTICE') || l.includes('ROOMSTATE'))).toBe(false);
    c.socket.destroy();
  });

  it('replays a script only to clients in the line’s channel and can drop every connection', async () => {
    irc = await startIrcFixture();
    const inAlpha = await rawClient(irc);
    const inBeta = await rawClient(irc);
    for (const [c, channel] of [
      [inAlpha, 'alpha_channel'],
      [inBeta, 'beta_channel'],
    ] as const) {
      c.send('NICK justinfan3');
      c.send(`JOIN #${channel}`);
    }
    await irc.waitForJoined(['alpha_channel', 'beta_channel']);
    const script = new ChatScriptBuilder()
      .chat('alpha_channel', 'viewer_one', 'a')
      .chat('beta_channel', 'viewer_two', 'b');
    await irc.play(script.entries);
    await inAlpha.waitFor((l) => l.endsWith('PRIVMSG #alpha_channel :a'));
    await inBeta.waitFor((l) => l.endsWith('PRIVMSG #beta_channel :b'));
    expect(inAlpha.lines.some((l) => l.includes('#beta_channel'))).toBe(false);

    const closed = new Promise((resolve) => inAlpha.socket.once('close', resolve));
    irc.dropConnections();
    await closed;
    expect(irc.joinedChannels().size).toBe(0);
  });
});
