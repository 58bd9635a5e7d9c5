import type { Config } from '../../platform/config';
import type { Outbound } from '../../contracts/topology';
import type { UpdateUserBody } from '../../contracts/rest';
import type { Database } from '../../db/database';
import { requestTraceparent } from '../../http/tracing';
import { guards } from '../../http/access';
import { requireActiveAccount } from '../../http/account-standing';
import { canSee, type AuthEnv, type Caller, type Tokens } from '../../http/auth';
import { clientAddress } from '../../http/client-address';
import { conflict, forbidden, HttpError, notFound } from '../../http/errors';
import { newRouter } from '../../http/openapi';
import { page } from '../../http/pagination';
import { accountEvent } from './account-events';
import * as api from './api';
import { loginAttemptsOf, registrationsOf } from './rate-limits';
import { decoyHash, hashPassword, verifyPassword } from './passwords';
import { standingOf, toUser, type UsersStore } from './store';
import { newId } from '../../lib/ids';

export interface UsersRoutesDeps {
  database: Database<UsersStore>;
  tokens: Tokens;
  config: Pick<Config, 'login' | 'register' | 'trustProxy'>;
  /** Puts messages in the outbox inside the caller's transaction. */
  send: (store: UsersStore, messages: Outbound<'users'>[]) => Promise<void>;
}

export function usersRoutes({ database, tokens, config, send }: UsersRoutesDeps) {
  const guard = guards(tokens);
  const userOf = (id: string) => database.read((store) => store.findById(id));
  const active = requireActiveAccount(async (userId) => standingOf(await userOf(userId)));
  const attempts = loginAttemptsOf(database, config.login);
  const registrations = registrationsOf(database, config.register);

  /** Applies a change; a change of `active` raises the status version and tells the other services. */
  function change(caller: Caller, id: string, changes: UpdateUserBody, traceparent: string | undefined) {
    return database.transaction(async (store) => {
      const before = await store.findById(id);
      if (!before || !canSee(caller, id)) throw notFound('user');
      if (changes.active !== undefined && caller.role !== 'admin') throw forbidden('only an admin may change active');
      if (changes.active === false && id === caller.id) throw conflict('an admin cannot deactivate their own account');
      const statusChanged = changes.active !== undefined && changes.active !== before.active;
      const now = new Date();
      const after = (await store.updateUser(
        id,
        statusChanged ? { ...changes, statusVersion: before.statusVersion + 1 } : changes,
        now,
      ))!;
      if (statusChanged) await send(store, [accountEvent(after, now, traceparent)]);
      return after;
    });
  }

  return newRouter<AuthEnv>()
    .openapi(guard(api.register), async (c) => {
      const { name, email, password } = c.req.valid('json');
      const admission = await registrations.take(clientAddress(c, config.trustProxy), new Date());
      if (!admission.admitted) throw tooManyRequests('too many registrations from this address', admission);
      const now = new Date().toISOString();
      const row = {
        id: newId(),
        name,
        email,
        role: 'customer' as const,
        active: true,
        statusVersion: 0,
        passwordHash: await hashPassword(password),
        createdAt: now,
        updatedAt: now,
      };
      if (!(await database.transaction((store) => store.insertUser(row))))
        throw conflict('email is already registered');
      return c.json(toUser(row), 201);
    })

    .openapi(guard(api.login), async (c) => {
      const { email, password } = c.req.valid('json');
      const keys = { email, address: clientAddress(c, config.trustProxy) };
      const admission = await attempts.take(keys, new Date());
      if (!admission.admitted) throw tooManyRequests('too many login attempts', admission);
      const user = await database.read((store) => store.findByEmail(email));
      // Hash even for an unknown email: the answer time must not tell whether it exists.
      const matches = await verifyPassword(password, user?.passwordHash ?? (await decoyHash));
      if (!user || !matches) throw new HttpError(401, 'wrong email or password');
      await attempts.giveBack(keys);
      if (!user.active) throw new HttpError(403, 'this account is deactivated', 'account_deactivated');
      const token = await tokens.issue({ id: user.id, role: user.role });
      return c.json({ token, tokenType: 'Bearer' as const, expiresIn: tokens.expiresIn }, 200);
    })

    .openapi(guard(api.listUsers), async (c) => {
      const caller = c.var.caller;
      const { limit, cursor, email } = c.req.valid('query');
      if (email !== undefined) {
        if (caller.role !== 'admin') throw forbidden('only an admin may look a user up by email');
        const user = await database.read((store) => store.findByEmail(email));
        return c.json({ items: user ? [toUser(user)] : [], nextCursor: null }, 200);
      }
      if (caller.role !== 'admin') {
        const self = await userOf(caller.id);
        return c.json({ items: self ? [toUser(self)] : [], nextCursor: null }, 200);
      }
      const rows = await database.read((store) => store.listUsers(limit + 1, cursor));
      return c.json(
        page(rows, limit, toUser, (row) => row.id),
        200,
      );
    })

    .openapi(guard(api.getUser), async (c) => {
      const { id } = c.req.valid('param');
      const user = await userOf(id);
      // Someone else's record answers as if it did not exist.
      if (!user || !canSee(c.var.caller, id)) throw notFound('user');
      return c.json(toUser(user), 200);
    })

    .openapi(guard(api.updateUser, active), async (c) => {
      const changed = await change(c.var.caller, c.req.valid('param').id, c.req.valid('json'), requestTraceparent(c));
      return c.json(toUser(changed), 200);
    });
}

function tooManyRequests(what: string, { retryAfterSeconds }: { retryAfterSeconds: number }) {
  return new HttpError(429, `${what}; try again later`, 'too_many_requests', undefined, {
    'Retry-After': String(retryAfterSeconds),
  });
}
