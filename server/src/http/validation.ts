import type { ErrorDetail } from '@teacher-hub/protocol';
import { zValidator } from '@hono/zod-validator';
import type { ValidationTargets } from 'hono';
import type { z } from 'zod';
import { ApiError } from '../domain/errors.ts';

/** Zod issues as the contract's `details`: `{path: "users.3.id", message}`. */
export function detailsOf(error: z.core.$ZodError): ErrorDetail[] {
  return error.issues.map((issue) => ({
    path: issue.path.map(String).join('.'),
    message: issue.message,
  }));
}

const JSON_MEDIA_TYPE = /^application\/([\w.-]+\+)?json$/i;

/**
 * `zValidator` with the contract's failure: 400 VALIDATION_FAILED with `details`. (Malformed JSON is
 * Hono's HTTPException 400, which the app's `onError` maps to the same code.)
 */
export function validate<Target extends keyof ValidationTargets, Schema extends z.ZodType>(
  target: Target,
  schema: Schema,
) {
  return zValidator(target, schema, (result, c) => {
    if (result.success) return;
    const mediaType = (c.req.header('Content-Type') ?? '').split(';')[0]?.trim() ?? '';
    if (target === 'json' && !JSON_MEDIA_TYPE.test(mediaType)) {
      throw new ApiError('VALIDATION_FAILED', 'Send the body as JSON (Content-Type: application/json).', [
        { path: '', message: `Content-Type is "${mediaType || 'missing'}"` },
      ]);
    }
    throw new ApiError('VALIDATION_FAILED', `The request ${target} is not valid.`, detailsOf(result.error));
  });
}
