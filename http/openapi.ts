import { OpenAPIHono, type RouteConfig } from '@hono/zod-openapi';
import type { Env } from 'hono';
import type { z } from 'zod';
import { ApiError } from '../contracts/rest';
import { validationError } from './errors';

/**
 * Routes are declared once, with the contract's zod schemas: the same declaration validates the
 * request and describes it in /openapi.json, so the document cannot drift from the code.
 */

/** Who may call a route; the guard (access.ts) enforces it and the document shows it as `x-access`. */
export type Access = 'anyone' | 'signed-in' | 'admin';

/** A service's router: a failed contract check answers 400 naming each bad field. */
export const newRouter = <E extends Env>() =>
  new OpenAPIHono<E>({
    defaultHook: (result) => {
      if (!result.success) throw validationError(result.error);
    },
  });

export const BEARER = 'bearer';

/**
 * A route of the contract: its declaration plus who may call it. `operationId` is required: it
 * is the method name a generated client gives the route.
 */
export function defineRoute<const R extends Omit<RouteConfig, 'security' | 'middleware'> & { operationId: string }>(
  access: Access,
  config: R,
) {
  return {
    ...config,
    'x-access': access,
    security: access === 'anyone' ? [] : [{ [BEARER]: [] }],
  };
}

export const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});

export const jsonBody = <T extends z.ZodType>(schema: T) => ({
  required: true,
  content: { 'application/json': { schema } },
});

const errorMeaning = {
  400: 'invalid request: `details` names each bad field',
  401: 'no token, or a bad or expired one',
  403: 'not allowed for this caller',
  404: 'unknown id, or someone else’s',
  409: 'conflicts with the current state',
  413: 'body larger than 1 MiB',
  415: 'body is not JSON',
  429: 'too many attempts: retry after `Retry-After` seconds',
  503: 'too much in progress to take more now: retry after `Retry-After` seconds',
} as const;
type ErrorStatus = keyof typeof errorMeaning;

/** The error answers a route may give, each in the one JSON error form. */
export function errors<const S extends readonly ErrorStatus[]>(...statuses: S) {
  return Object.fromEntries(statuses.map((status) => [status, json(ApiError, errorMeaning[status])])) as {
    [K in S[number]]: ReturnType<typeof json<typeof ApiError>>;
  };
}
