import type { z } from 'zod';

import { ServiceError, type FieldError } from '../errors';

/** Converts a zod issue path to a JSON Pointer (RFC 6901). */
export function toPointer(path: readonly PropertyKey[]): string {
  return path
    .map((segment) => `/${String(segment).replace(/~/g, '~0').replace(/\//g, '~1')}`)
    .join('');
}

/** Parses a request body, throwing `validation_failed` with one entry per offending field. */
export function parseBody<Schema extends z.ZodType>(
  schema: Schema,
  body: unknown,
): z.infer<Schema> {
  const result = schema.safeParse(body);
  if (result.success) {
    return result.data;
  }
  const errors: FieldError[] = result.error.issues.flatMap((issue) =>
    // Point at each unknown field itself rather than at the object that holds it.
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({
          pointer: toPointer([...issue.path, key]),
          detail: 'unknown field',
        }))
      : [{ pointer: toPointer(issue.path), detail: issue.message }],
  );

  throw new ServiceError('validation_failed', `${errors.length} field(s) failed validation`, {
    errors,
  });
}
