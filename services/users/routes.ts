import { randomUUID } from 'node:crypto';
import { Hono } from 'hono';
import { z } from 'zod';
import { ListQuery, LoginBody, RegisterBody, UpdateUserBody } from '../../contracts/rest';
import type { SqliteDb } from '../../db/sqlite';
import { authenticate, canSee, type AuthEnv, type Tokens } from '../../http/auth';
import { conflict, forbidden, HttpError, notFound } from '../../http/errors';
import { page } from '../../http/pagination';
import { jsonBody, params, query } from '../../http/validate';
import { decoyHash, hashPassword, verifyPassword } from './passwords';
import { findByEmail, findById, insertUser, listUsers, toUser, updateUser } from './store';

const IdParam = z.object({ id: z.uuid() });

export function usersRoutes(db: SqliteDb, tokens: Tokens) {
  const auth = authenticate(tokens);

  return new Hono<AuthEnv>()
    .post('/auth/register', jsonBody(RegisterBody), async (c) => {
      const { name, email, password } = c.req.valid('json');
      const now = new Date().toISOString();
      const row = {
        id: randomUUID(),
        name,
        email,
        role: 'customer' as const,
        active: true,
        passwordHash: await hashPassword(password),
        createdAt: now,
        updatedAt: now,
      };
      if (!insertUser(db, row)) throw conflict('email is already registered');
      return c.json(toUser(row), 201);
    })

    .post('/auth/login', jsonBody(LoginBody), async (c) => {
      const { email, password } = c.req.valid('json');
      const user = findByEmail(db, email);
      // Hash even for an unknown email: the answer time must not tell whether it exists.
      const matches = await verifyPassword(password, user?.passwordHash ?? (await decoyHash));
      if (!user || !matches) throw new HttpError(401, 'wrong email or password');
      if (!user.active) throw new HttpError(403, 'this account is deactivated');
      const token = await tokens.issue({ id: user.id, role: user.role });
      return c.json({ token, tokenType: 'Bearer' as const, expiresIn: tokens.expiresIn });
    })

    .get('/users', auth, query(ListQuery), (c) => {
      const caller = c.var.caller;
      const { limit, cursor } = c.req.valid('query');
      if (caller.role !== 'admin') {
        const self = findById(db, caller.id);
        return c.json({ items: self ? [toUser(self)] : [], nextCursor: null });
      }
      return c.json(page(listUsers(db, limit + 1, cursor), limit, toUser, (row) => row.id));
    })

    .get('/users/:id', auth, params(IdParam), (c) => {
      const { id } = c.req.valid('param');
      const user = findById(db, id);
      // Someone else's record answers as if it did not exist.
      if (!user || !canSee(c.var.caller, id)) throw notFound('user');
      return c.json(toUser(user));
    })

    .patch('/users/:id', auth, params(IdParam), jsonBody(UpdateUserBody), (c) => {
      const { id } = c.req.valid('param');
      const changes = c.req.valid('json');
      const caller = c.var.caller;
      if (!canSee(caller, id)) throw notFound('user');
      if (changes.active !== undefined && caller.role !== 'admin') throw forbidden('only an admin may change active');
      const user = updateUser(db, id, changes, new Date());
      if (!user) throw notFound('user');
      return c.json(toUser(user));
    });
}
