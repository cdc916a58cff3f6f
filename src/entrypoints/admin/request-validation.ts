import type { z } from 'zod';
import { GatehouseError } from '../../infrastructure/http/gatehouse-error.js';

/**
 * Validates a request body or query with the same zod schema the OpenAPI document is generated
 * from; a failure is a 400 problem naming each field.
 */
export function validate<T extends z.ZodType>(schema: T, input: unknown, what = 'request body'): z.infer<T> {
  const result = schema.safeParse(input ?? {});
  if (result.success) return result.data;
  const errors = result.error.issues.map((issue) => ({ field: issue.path.join('.') || '(body)', message: plain(issue) }));
  throw new GatehouseError('invalid_request', `Invalid ${what}: ${errors.map((e) => `${e.field}: ${e.message}`).join('; ')}`, { errors });
}

/** zod says "Invalid input: expected string, received undefined" for a missing field. */
function plain(issue: z.core.$ZodIssue): string {
  return issue.code === 'invalid_type' && / received undefined$/.test(issue.message) ? 'required' : issue.message;
}
