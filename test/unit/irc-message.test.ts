import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  escapeTagValue,
  formatIrcLine,
  parseIrcLine,
  unescapeTagValue,
} from '../../layers/shared/src/core/attention/irc-message.ts';
import { makeIrcMessage } from '../fixtures/irc.ts';

describe('IRCv3 tag values', () => {
  it('unescapes \\: to a semicolon, \\s to a space, \\\\ to a backslash and \\r \\n to CR LF', () => {
    expect(unescapeTagValue('a\\:b\\sc\\\\d\\re\\nf')).toBe('a;b c\\d\re\nf');
  });

  it('drops a lone trailing backslash', () => {
    expect(unescapeTagValue('abc\\')).toBe('abc');
  });

  it('drops the backslash of an unknown escape and keeps the character, whatever its case', () => {
    expect(unescapeTagValue('\\b\\S\\N\\x')).toBe('bSNx');
  });

  it('reads an escaped backslash before s as a backslash and an s, not as a space', () => {
    expect(unescapeTagValue('\\\\s')).toBe('\\s');
  });

  it('round-trips any string through escaping', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary' }), (s) => unescapeTagValue(escapeTagValue(s)) === s));
  });
});

describe('parseIrcLine', () => {
  it('parses a real Twitch PRIVMSG with tags, prefix, channel and text', () => {
    const line =
      '@badge-info=;badges=broadcaster/1;color=#0000FF;display-name=Viewer_One;emotes=;id=b34ccfc7-4977-403a-8a94-33c6bac34fb8;mod=0;room-id=1337;subscriber=0;tmi-sent-ts=1507246572675;turbo=1;user-id=1337;user-type= :viewer_one!viewer_one@viewer_one.tmi.twitch.tv PRIVMSG #somechannel :Kappa Keepo Kappa\r\n';
    const message = parseIrcLine(line)!;
    expect(message.command).toBe('PRIVMSG');
    expect(message.nick).toBe('viewer_one');
    expect(message.params).toEqual(['#somechannel', 'Kappa Keepo Kappa']);
    expect(message.tags['id']).toBe('b34ccfc7-4977-403a-8a94-33c6bac34fb8');
    expect(message.tags['user-type']).toBe('');
    expect(message.tags['display-name']).toBe('Viewer_One');
  });

  it('unescapes the system-msg of a USERNOTICE', () => {
    const line = makeIrcMessage({
      command: 'USERNOTICE',
      tags: { 'msg-id': 'resub', 'system-msg': 'ronni\\shas\\ssubscribed\\sfor\\s6\\smonths!' },
    });
    // The factory escapes what it is given, so unescaping must give the escaped text back.
    expect(parseIrcLine(line)!.tags['system-msg']).toBe('ronni\\shas\\ssubscribed\\sfor\\s6\\smonths!');
    const raw =
      '@msg-id=resub;system-msg=ronni\\shas\\ssubscribed\\:\\sthanks :tmi.twitch.tv USERNOTICE #dallas';
    expect(parseIrcLine(raw)!.tags['system-msg']).toBe('ronni has subscribed; thanks');
  });

  it('gives a tag without a value the empty string and lets the last duplicate win', () => {
    const message = parseIrcLine('@flag;k=1;k=2 :tmi.twitch.tv ROOMSTATE #chan')!;
    expect(message.tags['flag']).toBe('');
    expect(message.tags['k']).toBe('2');
  });

  it('keeps a tag named __proto__ as data', () => {
    const message = parseIrcLine('@__proto__=x :tmi.twitch.tv ROOMSTATE #chan')!;
    expect(Object.getOwnPropertyDescriptor(message.tags, '__proto__')?.value).toBe('x');
    expect(Object.getPrototypeOf(message.tags)).toBeNull();
  });

  it('parses a JOIN without tags and a PING without prefix', () => {
    expect(parseIrcLine(':someone!someone@someone.tmi.twitch.tv JOIN #chan')).toMatchObject({
      command: 'JOIN',
      nick: 'someone',
      params: ['#chan'],
    });
    expect(parseIrcLine('PING :tmi.twitch.tv')).toMatchObject({ command: 'PING', params: ['tmi.twitch.tv'] });
  });

  it('returns undefined for an empty line', () => {
    expect(parseIrcLine('\r\n')).toBeUndefined();
  });

  it('parses what formatIrcLine writes back to the same tags and parameters', () => {
    const tagKey = fc.stringMatching(/^[a-z][a-z0-9-]{0,12}$/);
    fc.assert(
      fc.property(
        fc.dictionary(tagKey, fc.string()),
        fc.string().filter((s) => !/[\r\n]/.test(s)),
        (tags, trailing) => {
          const line = formatIrcLine({
            tags,
            prefix: 'a!a@a',
            command: 'PRIVMSG',
            params: ['#chan'],
            trailing,
          });
          const parsed = parseIrcLine(line)!;
          expect({ ...parsed.tags }).toEqual({ ...tags });
          expect(parsed.params).toEqual(['#chan', trailing]);
        },
      ),
    );
  });
});
