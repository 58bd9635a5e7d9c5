import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { z } from 'zod';
import type { ApiError } from '../contracts/rest';
import type { Logger } from '../lib/logger';

type Detail = { path: string; message: string };

const codeOfStatus: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  429: 'too_many_requests',
  503: 'unavailable',
};

/** The one error type of the REST API; `onError` turns it into the contract's JSON error. */
export class HttpError extends HTTPException {
  constructor(
    status: ContentfulStatusCode,
    message: string,
    readonly code: string = codeOfStatus[status] ?? 'error',
    readonly details?: Detail[],
    readonly headers: Record<string, string> = {},
  ) {
    super(status, { message });
  }
}

export const notFound = (what: string) => new HttpError(404, `${what} not found`);
export const conflict = (message: string) => new HttpError(409, message);
export const forbidden = (message = 'not allowed') => new HttpError(403, message);

export function validationError(error: z.core.$ZodError): HttpError {
  const pathOf = (path: PropertyKey[]) => path.map(String).join('.') || '(body)';
  const details = error.issues.flatMap((issue) =>
    // An unknown field is named by its own path, not its parent's.
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ path: pathOf([...issue.path, key]), message: 'unknown field' }))
      : [{ path: pathOf(issue.path), message: issue.message }],
  );
  const fields = [...new Set(details.map((detail) => detail.path))].join(', ');
  return new HttpError(400, `invalid ${fields}`, 'validation_failed', details);
}

/** The request id set by hono's requestId middleware, so a client can quote it and we can find the log line. */
const requestIdOf = (c: Context): string | undefined => c.get('requestId' as never);

const errorBody = (c: Context, error: Omit<ApiError['error'], 'requestId'>): ApiError => {
  const requestId = requestIdOf(c);
  return { error: { ...error, ...(requestId ? { requestId } : {}) } };
};

/** The app's error handler: an HttpError is its JSON error; anything else is logged to `logger` and a bare 500. */
export const onError =
  (logger: Logger) =>
  (error: Error, c: Context): Response => {
    if (error instanceof HTTPException) {
      const status = error.status as ContentfulStatusCode;
      const body = errorBody(c, {
        code: error instanceof HttpError ? error.code : (codeOfStatus[status] ?? 'error'),
        message: error.message || 'request failed',
        ...(error instanceof HttpError && error.details ? { details: error.details } : {}),
      });
      return c.json(body, status, error instanceof HttpError ? error.headers : {});
    }
    logger.error({ err: error, requestId: requestIdOf(c), method: c.req.method, path: c.req.path }, 'unhandled error');
    return c.json(errorBody(c, { code: 'internal', message: 'internal error' }), 500);
  };

export const onNotFound = (c: Context) =>
  c.json(errorBody(c, { code: 'not_found', message: `no route ${c.req.method} ${c.req.path}` }), 404);
