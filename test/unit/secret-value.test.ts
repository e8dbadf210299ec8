import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError } from '../../layers/shared/src/errors.ts';
import { parseSecret, parseSecretJson } from '../../layers/shared/src/secret-value.ts';

describe('the secret parser', () => {
  it('reads JSON and returns what the schema makes of it', () => {
    expect(parseSecretJson('["a","b"]', 'keys')).toEqual(['a', 'b']);
    expect(parseSecret('{"apiKey":"k1","extra":1}', z.object({ apiKey: z.string() }), 'the key')).toEqual({
      apiKey: 'k1',
    });
  });

  it.each([
    ['text that is not JSON', 'hunter2-value', z.unknown(), 'the key is not JSON'],
    ['a missing field', '{}', z.object({ apiKey: z.string() }), 'the key: apiKey is missing'],
    [
      'a field of the wrong type',
      '{"apiKey":42}',
      z.object({ apiKey: z.string() }),
      'the key: apiKey must be a string',
    ],
    [
      'an empty field',
      '{"apiKey":""}',
      z.object({ apiKey: z.string().min(1) }),
      'the key: apiKey is empty or too short',
    ],
    [
      'a value outside an enum',
      '{"mode":"hunter2-value"}',
      z.object({ mode: z.enum(['a', 'b']) }),
      'the key: mode is not valid',
    ],
    [
      'a value that is not an object',
      '"hunter2-value"',
      z.object({ apiKey: z.string() }),
      'the key: the value must be an object',
    ],
  ])(
    'refuses %s with a ConfigError that says what is wrong and never quotes the value',
    (_case, text, schema, message) => {
      let error: unknown;
      try {
        parseSecret(text, schema, 'the key');
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).message).toBe(message);
      expect((error as ConfigError).cause).toBeUndefined();
      expect(JSON.stringify((error as ConfigError).toJSON())).not.toContain('hunter2');
    },
  );
});
