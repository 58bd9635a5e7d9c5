import { describe, expect, it } from 'vitest';
import { brokerRoles } from './rabbitmq-permissions';
import { setupInput } from './setup-input';

const password = (role: string) => `${role}-password-0123456789`;
const url = (role: string, host = 'rabbit.internal:5672') => `amqp://shop-${role}:${password(role)}@${host}/shop`;
const cluster = (role: string) =>
  ['rabbitmq-1', 'rabbitmq-2', 'rabbitmq-3'].map((host) => url(role, `${host}:5672`)).join(',');

const urls = {
  BROKER_URL_USERS: url('users'),
  BROKER_URL_PRODUCTS: url('products'),
  BROKER_URL_ORDERS: url('orders'),
  BROKER_URL_PAYMENTS: url('payments'),
  BROKER_URL_ORCHESTRATOR: url('orchestrator'),
};

describe('setupInput of npm run broker:setup', () => {
  it('takes a user per role from its URL, their vhost, the namespace, and classic queues unless told', () => {
    const input = setupInput({ ...urls, BROKER_URL_OPERATOR: url('operator'), BROKER_NAMESPACE: 'lp' });
    expect(input.vhost).toBe('shop');
    expect(input.namespace).toBe('lp');
    expect(input.queueKind).toEqual({ type: 'classic' });
    expect(input.users).toEqual(
      brokerRoles.map((role) => ({
        role,
        username: `shop-${role}`,
        password: password(role),
      })),
    );
    expect(setupInput(urls).namespace).toBe('shop');
  });

  it('reads BROKER_QUEUE_TYPE and BROKER_DELIVERY_LIMIT as the services do', () => {
    expect(setupInput({ ...urls, BROKER_QUEUE_TYPE: 'quorum' }).queueKind).toEqual({
      type: 'quorum',
      deliveryLimit: 20,
    });
    expect(setupInput({ ...urls, BROKER_QUEUE_TYPE: 'quorum', BROKER_DELIVERY_LIMIT: '5' }).queueKind).toEqual({
      type: 'quorum',
      deliveryLimit: 5,
    });
    expect(setupInput({ ...urls, BROKER_QUEUE_TYPE: 'classic', BROKER_DELIVERY_LIMIT: '5' }).queueKind).toEqual({
      type: 'classic',
    });
    // Empty is unset, as in a .env file.
    expect(setupInput({ ...urls, BROKER_QUEUE_TYPE: '', BROKER_DELIVERY_LIMIT: '' }).queueKind).toEqual({
      type: 'classic',
    });
  });

  it.each([
    [{ BROKER_QUEUE_TYPE: 'mirrored' }, 'BROKER_QUEUE_TYPE must be classic or quorum, not "mirrored"'],
    [
      { BROKER_QUEUE_TYPE: 'quorum', BROKER_DELIVERY_LIMIT: '0' },
      'BROKER_DELIVERY_LIMIT must be a positive whole number, not "0"',
    ],
    [{ BROKER_DELIVERY_LIMIT: '2.5' }, 'BROKER_DELIVERY_LIMIT must be a positive whole number, not "2.5"'],
    [{ BROKER_DELIVERY_LIMIT: 'many' }, 'BROKER_DELIVERY_LIMIT must be a positive whole number, not "many"'],
  ])('refuses %j', (overrides, message) => {
    expect(() => setupInput({ ...urls, ...overrides })).toThrow(message);
  });

  describe("a cluster's nodes separated by commas", () => {
    const clustered = Object.fromEntries(
      Object.keys(urls).map((variable) => [variable, cluster(variable.slice('BROKER_URL_'.length).toLowerCase())]),
    );

    it('takes the user, password and vhost they share', () => {
      expect(setupInput(clustered)).toEqual(setupInput(urls));
      // Blanks around the commas and a trailing comma are nothing.
      const spaced = `${url('users', 'rabbitmq-1')} , ${url('users', 'rabbitmq-2')},`;
      expect(setupInput({ ...clustered, BROKER_URL_USERS: spaced }).users).toContainEqual({
        role: 'users',
        username: 'shop-users',
        password: password('users'),
      });
    });

    it.each([
      ['user name', url('users', 'rabbitmq-2').replace('shop-users:', 'shop-other:')],
      ['password', url('users', 'rabbitmq-2').replace(password('users'), 'another-password-0123456789')],
      ['vhost', url('users', 'rabbitmq-2').replace(/\/shop$/, '/other')],
    ])('refuses nodes that differ in their %s, without a password in the message', (part, second) => {
      const setting = `${url('users', 'rabbitmq-1')},${second}`;
      const refusal = () => setupInput({ ...clustered, BROKER_URL_USERS: setting });
      expect(refusal).toThrow(
        `BROKER_URL_USERS must give every node the same user name, password and vhost; its nodes differ in ${part}`,
      );
      expect(refusal).not.toThrow(/password-0123456789/);
    });

    it('refuses a node that is not an AMQP URL, its password masked, and a list of no node', () => {
      const setting = `${url('orders', 'rabbitmq-1')},http://shop-orders:${password('orders')}@rabbitmq-2/shop`;
      expect(() => setupInput({ ...clustered, BROKER_URL_ORDERS: setting })).toThrow(
        'BROKER_URL_ORDERS must be an amqp:// or amqps:// URL, or several separated by commas, not "http://shop-orders:***@rabbitmq-2/shop"',
      );
      expect(() => setupInput({ ...clustered, BROKER_URL_ORDERS: ' , ' })).toThrow('BROKER_URL_ORDERS names no node');
    });

    it('refuses a node without the credentials', () => {
      const setting = `${url('payments', 'rabbitmq-1')},amqp://rabbitmq-2/shop`;
      expect(() => setupInput({ ...clustered, BROKER_URL_PAYMENTS: setting })).toThrow(
        'BROKER_URL_PAYMENTS must carry a user name and a password in every node',
      );
    });
  });

  it.each([
    ['a missing service URL', { BROKER_URL_ORDERS: '' }, 'set BROKER_URL_ORDERS'],
    [
      'two roles on one user',
      { BROKER_URL_USERS: url('orders') },
      'each role needs a user of its own; shop-orders is given twice',
    ],
    [
      'two vhosts',
      { BROKER_URL_PAYMENTS: url('payments').replace(/\/shop$/, '/other') },
      'every BROKER_URL_<ROLE> must name the same vhost, not shop and other',
    ],
  ])('refuses %s', (_, overrides, message) => {
    expect(() => setupInput({ ...urls, ...overrides })).toThrow(message);
  });

  describe('in production', () => {
    const production = { ...urls, NODE_ENV: 'production' };
    const withPassword = (role: string, secret: string) =>
      `amqp://shop-${role}:${encodeURIComponent(secret)}@rabbitmq-1:5672/shop`;

    it('takes passwords of 16 characters or more', () => {
      expect(setupInput(production).users).toHaveLength(5);
      expect(() =>
        setupInput({ ...production, BROKER_URL_USERS: withPassword('users', 'x'.repeat(16)) }),
      ).not.toThrow();
    });

    it.each([
      ['short', 'x'.repeat(15), 'shorter than 16 characters'],
      ["RabbitMQ's default", 'guest', 'a value published in this repository'],
      ["a placeholder of .env.example's", 'change-me-users', 'a value published in this repository'],
      ['a placeholder, however long', 'Change-Me-to-a-long-random-string', 'a value published in this repository'],
    ])('refuses a password that is %s, naming its variable and not the password', (_, secret, reason) => {
      const refusal = () => setupInput({ ...production, BROKER_URL_PRODUCTS: withPassword('products', secret) });
      expect(refusal).toThrow(`NODE_ENV=production refuses the password in BROKER_URL_PRODUCTS: ${reason}`);
      expect(refusal).not.toThrow(secret);
    });

    it("refuses a password that is its user's name", () => {
      const name = 'shop-orders-account-name';
      expect(() =>
        setupInput({ ...production, BROKER_URL_ORDERS: `amqp://${name}:${name}@rabbitmq-1:5672/shop` }),
      ).toThrow('NODE_ENV=production refuses the password in BROKER_URL_ORDERS: the same as its user name');
    });

    it('names every weak one in one error, the operator included', () => {
      const refusal = () =>
        setupInput({
          ...production,
          BROKER_URL_USERS: withPassword('users', 'change-me-users'),
          BROKER_URL_OPERATOR: withPassword('operator', 'short'),
        });
      expect(refusal).toThrow(
        'NODE_ENV=production refuses the password in BROKER_URL_USERS: a value published in this repository; ' +
          'the password in BROKER_URL_OPERATOR: shorter than 16 characters',
      );
    });

    it('takes the placeholders outside production', () => {
      expect(() => setupInput({ ...urls, BROKER_URL_USERS: withPassword('users', 'change-me-users') })).not.toThrow();
    });
  });
});
