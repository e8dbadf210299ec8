/** POST /suppressions (admin): opt a viewer out; mapping and unsealed participation go at once. */
import { z } from 'zod';
import { loadConfig } from '../../../layers/shared/src/config.ts';
import { ValidationError } from '../../../layers/shared/src/errors.ts';
import { suppressUser } from '../../../layers/shared/src/services/suppression.ts';
import { database } from '../../dependencies.ts';
import { httpHandler, json, jsonBody } from '../http.ts';

loadConfig(process.env, { require: ['DATABASE_URL'] });

const request = z
  .object({
    user: z
      .string({ required_error: 'user is required', invalid_type_error: 'user must be a string' })
      .min(1)
      .max(128),
    reason: z.string().max(500, 'reason must be at most 500 characters').optional(),
  })
  .strict();

export const handler = httpHandler(async (event) => {
  const parsed = request.safeParse(jsonBody(event));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ValidationError(`${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'}`);
  }
  const { sql } = await database();
  const result = await suppressUser(sql, parsed.data.user, parsed.data.reason);
  return json(result.alreadySuppressed ? 200 : 201, result);
});
