import { assertNever } from '../../lib/assert-never';
import { defineService } from '../../platform/service';
import { hashPassword } from './passwords';
import { usersRoutes } from './routes';
import * as schema from './sqlite/schema';
import { findByEmail, findById, insertUser } from './store';
import { verifyUser } from './verify-user';
import { newId } from '../../lib/ids';

export const createUsersService = defineService({
  name: 'users',
  schema,
  migrations: new URL('./sqlite/migrations', import.meta.url),
  setUp: ({ db, tokens, config, endpoint }) => ({
    routes: usersRoutes({ db, tokens, config, send: (tx, messages) => endpoint.send(tx, messages) }),
    async start() {
      // The first start creates the admin account from ADMIN_EMAIL / ADMIN_PASSWORD.
      if (!findByEmail(db, config.admin.email)) {
        const now = new Date().toISOString();
        insertUser(db, {
          id: newId(),
          name: 'Administrator',
          email: config.admin.email,
          role: 'admin',
          active: true,
          statusVersion: 0,
          passwordHash: await hashPassword(config.admin.password),
          createdAt: now,
          updatedAt: now,
        });
      }
      await endpoint.listen((tx, message) => {
        switch (message.type) {
          case 'VerifyUser':
            return verifyUser(message.data, findById(tx, message.data.userId));
          default:
            return assertNever(message.type);
        }
      });
    },
  }),
});
