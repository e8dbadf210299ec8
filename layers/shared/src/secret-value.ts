/**
 * The one parser of secret values (DESIGN.md section 2: a malformed value's parse error never
 * echoes it). Node's JSON.parse quotes the text around a syntax error, and zod quotes a value
 * that is not one of an enum's; either would carry part of a key into an error and from there
 * into the logs. These errors name the secret and the field and say what was expected, never a
 * character of the value, and keep no cause that could.
 */
import type { z } from 'zod';
import { ConfigError } from './errors.ts';

/**
 * The secret's text as JSON. `name` says which secret in the error ("the database secret"), and
 * `shape`, when given, the documented form of its value (`{"apiKey":"..."}`), so the operator
 * who pasted something else is told what to paste.
 */
export function parseSecretJson(text: string, name: string, shape?: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new ConfigError(`${name} is not JSON${expected(shape)}`);
  }
}

/**
 * The secret's JSON checked against `schema`. A refusal names the first field at fault and the
 * type it must have. A `custom` issue's own message is used as written, so a schema's refinements
 * must not put the value in their messages.
 */
export function parseSecret<S extends z.ZodTypeAny>(
  text: string,
  schema: S,
  name: string,
  shape?: string,
): z.output<S> {
  const result = schema.safeParse(parseSecretJson(text, name, shape));
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue === undefined || issue.path.length === 0 ? 'the value' : issue.path.join('.');
  throw new ConfigError(`${name}: ${field} ${describe(issue)}${expected(shape)}`);
}

function expected(shape: string | undefined): string {
  return shape === undefined ? '' : `; expected ${shape}`;
}

function describe(issue: z.ZodIssue | undefined): string {
  if (issue === undefined) return 'is not valid';
  switch (issue.code) {
    case 'invalid_type':
      // `expected` and `received` are type names (string, undefined, ...), never the value.
      return issue.received === 'undefined' ? 'is missing' : `must be ${article(issue.expected)}`;
    case 'too_small':
      return issue.type === 'string' ? 'is empty or too short' : 'is too small';
    case 'too_big':
      return 'is too long or too large';
    case 'custom':
      return issue.message;
    default:
      return 'is not valid';
  }
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}
