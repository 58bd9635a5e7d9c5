import { assertNever } from '../../lib/assert-never';
import { defineService } from '../../platform/service';
import { hashPassword } from './passwords';
import { usersRoutes } from './routes';
import { usersPostgres } from './postgres/store';
import { usersSqlite } from './sqlite/store';
import { verifyUser } from './verify-user';
import { newId } from '../../lib/ids';

export const createUsersService = defineService({
  name: 'users',
  sqlite: usersSqlite,
  postgres: usersPostgres,
  setUp: ({ database, tokens, config, endpoint }) => ({
    routes: usersRoutes({ database, tokens, config, send: (store, messages) => endpoint.send(store, messages) }),
    async start() {
      // The first start creates the admin account from ADMIN_EMAIL / ADMIN_PASSWORD.
      if (!(await database.read((store) => store.findByEmail(config.admin.email)))) {
        const now = new Date().toISOString();
        const passwordHash = await hashPassword(config.admin.password);
        // An instance starting beside this one may have made it meanwhile: then the email is taken, as good.
        await database.transaction((store) =>
          store.insertUser({
            id: newId(),
            name: 'Administrator',
            email: config.admin.email,
            role: 'admin',
            active: true,
            statusVersion: 0,
            passwordHash,
            createdAt: now,
            updatedAt: now,
          }),
        );
      }
      await endpoint.listen(async (store, message) => {
        switch (message.type) {
          case 'VerifyUser':
            return verifyUser(message.data, await store.findById(message.data.userId));
          default:
            return assertNever(message.type);
        }
      });
    },
  }),
});
