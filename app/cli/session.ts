import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

/** Who `saga-shop shop` acts as: the shop it logged in to, and the token it got. */
export interface Session {
  url: string;
  email: string;
  token: string;
}

/** SAGA_SHOP_SESSION, or session.json under the user's configuration folder. */
export const defaultSessionFile = () =>
  process.env.SAGA_SHOP_SESSION ??
  join(process.env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'saga-shop', 'session.json');

/** Keeps the session where only its owner can read it (mode 600): the token is as good as the password for an hour. */
export function saveSession(file: string, session: Session): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(file, `${JSON.stringify(session)}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
}

export function loadSession(file: string): Session {
  if (!existsSync(file)) throw new Error('not logged in: run saga-shop shop login --email <email>');
  try {
    const session = JSON.parse(readFileSync(file, 'utf8')) as Session;
    if (typeof session.url === 'string' && typeof session.token === 'string') return session;
  } catch {
    // reported below
  }
  throw new Error(`${file} is not a session: log in again with saga-shop shop login`);
}
