import { zValidator } from '@hono/zod-validator';
import type { z } from 'zod';
import { validationError } from './errors';

/** Turns a failed contract check into a 400 naming each bad field. */
const rejectInvalid = (result: { success: true } | { success: false; error: z.core.$ZodError }) => {
  if (!result.success) throw validationError(result.error);
};

export const jsonBody = <T extends z.ZodType>(schema: T) => zValidator('json', schema, rejectInvalid);
export const query = <T extends z.ZodType>(schema: T) => zValidator('query', schema, rejectInvalid);
export const params = <T extends z.ZodType>(schema: T) => zValidator('param', schema, rejectInvalid);
