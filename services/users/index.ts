import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Endpoint } from '../../broker/endpoint';
import { openDatabase } from '../../db/sqlite';
import { assertNever } from '../../lib/assert-never';
import type { Service, ServiceDeps } from '../../app/service';
import { storeHealth } from '../../app/store-health';
import { hashPassword } from './passwords';
import { usersRoutes } from './routes';
import * as schema from './schema';
import { findByEmail, findById, insertUser } from './store';
import { verifyUser } from './verify-user';

const migrations = fileURLToPath(new URL('./migrations', import.meta.url));

export function createUsersService({ config, broker, tokens, logger }: ServiceDeps): Service {
  const { db, close } = openDatabase(join(config.dataDir, 'users.db'), schema, migrations);
  const endpoint = new Endpoint('users', db, broker, logger.child({ service: 'users' }));

  return {
    name: 'users',
    routes: usersRoutes({ db, tokens, config, send: (tx, messages) => endpoint.send(tx, messages) }),

    async start() {
      await ensureAdmin();
      await endpoint.listen((tx, message) => {
        switch (message.type) {
          case 'VerifyUser':
            return verifyUser(message.data, findById(tx, message.data.userId));
          default:
            return assertNever(message.type);
        }
      });
    },

    health: () => storeHealth(db),
    async stop() {
      await endpoint.stop();
      close();
    },
  };

  /** The first start creates the admin account from ADMIN_EMAIL / ADMIN_PASSWORD. */
  async function ensureAdmin() {
    if (findByEmail(db, config.admin.email)) return;
    const now = new Date().toISOString();
    insertUser(db, {
      id: randomUUID(),
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
}
