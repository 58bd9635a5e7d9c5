import { redactUrl } from '../../lib/redact-url';
import { DEFAULT_DELIVERY_LIMIT, queueKind, type QueueKind } from '../rabbitmq/topology';
import { isAmqpUrl, nodeUrls } from '../rabbitmq/urls';
import type { BrokerUser, DefinitionsInput } from './rabbitmq-definitions';
import { brokerRoles, urlVariable, vhostOf, type BrokerRole } from './rabbitmq-permissions';

/**
 * What `npm run broker:setup` makes, read from the environment without a broker: the vhost and
 * a user per role from each BROKER_URL_<ROLE>, the namespace (BROKER_NAMESPACE) and the queue
 * type (BROKER_QUEUE_TYPE, BROKER_DELIVERY_LIMIT), read as the services read them.
 */

/** How long a role's password must be in production. */
export const MIN_BROKER_PASSWORD_LENGTH = 16;

/**
 * Reads every BROKER_URL_<ROLE> (each one URL, or a cluster's nodes separated by commas, all
 * with the same user, password and vhost). Throws one error, naming the variables and never a
 * password, when one is missing or unusable, when two roles share a user, when they are not on
 * one vhost, and under NODE_ENV=production when a password is weak.
 */
export function setupInput(env: Record<string, string | undefined>): DefinitionsInput {
  const missing = brokerRoles.filter((role) => role !== 'operator' && !env[urlVariable(role)]);
  if (missing.length > 0) throw new Error(`set ${missing.map(urlVariable).join(', ')}`);
  const kind = queueKindOf(env);
  const users = brokerRoles.flatMap((role) => {
    const setting = env[urlVariable(role)];
    return setting ? [userOf(role, setting)] : [];
  });
  const vhosts = new Set(users.map((user) => user.vhost));
  if (vhosts.size > 1)
    throw new Error(`every BROKER_URL_<ROLE> must name the same vhost, not ${[...vhosts].join(' and ')}`);
  const usernames = users.map((user) => user.username);
  const shared = usernames.find((name, index) => usernames.indexOf(name) !== index);
  if (shared) throw new Error(`each role needs a user of its own; ${shared} is given twice`);
  if (env.NODE_ENV === 'production') {
    const weak = users.flatMap((user) => {
      const reason = weakness(user);
      return reason ? [`the password in ${urlVariable(user.role)}: ${reason}`] : [];
    });
    if (weak.length > 0) throw new Error(`NODE_ENV=production refuses ${weak.join('; ')}`);
  }
  return {
    namespace: env.BROKER_NAMESPACE || 'shop',
    vhost: users[0]!.vhost,
    queueKind: kind,
    users: users.map(({ role, username, password }) => ({ role, username, password })),
  };
}

// An empty variable counts as unset, as in a .env file or `VAR= npm run broker:setup`.
const setting = (env: Record<string, string | undefined>, name: string) => (env[name] === '' ? undefined : env[name]);

/** BROKER_QUEUE_TYPE (classic or quorum, classic unless set) and BROKER_DELIVERY_LIMIT, as app/server/config.ts reads them. */
function queueKindOf(env: Record<string, string | undefined>): QueueKind {
  const type = setting(env, 'BROKER_QUEUE_TYPE') ?? 'classic';
  if (type !== 'classic' && type !== 'quorum')
    throw new Error(`BROKER_QUEUE_TYPE must be classic or quorum, not "${type}"`);
  const limit = setting(env, 'BROKER_DELIVERY_LIMIT');
  const deliveryLimit = limit === undefined ? DEFAULT_DELIVERY_LIMIT : Number(limit);
  if (!Number.isInteger(deliveryLimit) || deliveryLimit <= 0)
    throw new Error(`BROKER_DELIVERY_LIMIT must be a positive whole number, not "${limit}"`);
  return queueKind(type, deliveryLimit);
}

/** A role's user, password and vhost, the same in every node its variable lists. */
function userOf(role: BrokerRole, value: string): BrokerUser & { vhost: string } {
  const variable = urlVariable(role);
  const nodes = nodeUrls(value);
  if (nodes.length === 0) throw new Error(`${variable} names no node`);
  const parsed = nodes.map((node) => {
    if (!isAmqpUrl(node))
      throw new Error(
        `${variable} must be an amqp:// or amqps:// URL, or several separated by commas, not "${redactUrl(node)}"`,
      );
    const url = new URL(node);
    const username = decodeURIComponent(url.username);
    const password = decodeURIComponent(url.password);
    if (!username || !password) throw new Error(`${variable} must carry a user name and a password in every node`);
    return { role, username, password, vhost: vhostOf(url) };
  });
  const [first] = parsed;
  const differs = (['username', 'password', 'vhost'] as const).filter((part) =>
    parsed.some((node) => node[part] !== first![part]),
  );
  if (differs.length > 0)
    throw new Error(
      `${variable} must give every node the same user name, password and vhost; its nodes differ in ${differs
        .map((part) => (part === 'username' ? 'user name' : part))
        .join(', ')}`,
    );
  return first!;
}

/** Why production refuses a password, if it does: one anyone can read, its user's name, or short. */
function weakness({ username, password }: BrokerUser): string | undefined {
  if (password === 'guest' || password.toLowerCase().startsWith('change-me'))
    return 'a value published in this repository';
  if (password === username) return 'the same as its user name';
  if (password.length < MIN_BROKER_PASSWORD_LENGTH) return `shorter than ${MIN_BROKER_PASSWORD_LENGTH} characters`;
  return undefined;
}
