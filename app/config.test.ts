import { describe, expect, it } from 'vitest';
import { brokerUrlOf, ConfigError, loadConfig } from './config';

describe('configuration', () => {
  it('runs on development secrets outside production, and says which', () => {
    expect(loadConfig({}).insecureDefaults).toEqual(['JWT_SECRET', 'CARD_TOKEN_KEY']);
  });

  it('refuses to start in production without JWT_SECRET or CARD_TOKEN_KEY', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(ConfigError);
    expect(() => loadConfig({ NODE_ENV: 'production', JWT_SECRET: 's' })).toThrow(/CARD_TOKEN_KEY/);
    expect(() => loadConfig({ NODE_ENV: 'production', CARD_TOKEN_KEY: 'k' })).toThrow(/JWT_SECRET/);
    const config = loadConfig({ NODE_ENV: 'production', JWT_SECRET: 's', CARD_TOKEN_KEY: 'k' });
    expect(config.insecureDefaults).toEqual([]);
  });

  it('takes the token lifetime and login limits from the environment, refusing nonsense', () => {
    const config = loadConfig({ JWT_EXPIRES_IN_SECONDS: '60', LOGIN_MAX_FAILURES_PER_EMAIL: '3' });
    expect(config.jwt.expiresInSeconds).toBe(60);
    expect(config.login.maxFailuresPerEmail).toBe(3);
    expect(loadConfig({}).jwt.expiresInSeconds).toBe(3600);
    for (const bad of ['0', '-5', 'soon', '1.5']) {
      expect(() => loadConfig({ JWT_EXPIRES_IN_SECONDS: bad })).toThrow(ConfigError);
    }
  });

  it('connects a service with its own BROKER_URL_<SERVICE> over BROKER_URL, and needs one or the other for each', () => {
    expect(loadConfig({}).transport).toBe('in-process');
    const shared = loadConfig({ BROKER_URL: 'amqp://shared', BROKER_URL_ORDERS: 'amqp://orders' });
    expect(shared.transport).toBe('rabbitmq');
    expect(brokerUrlOf(shared, 'orders')).toBe('amqp://orders');
    expect(brokerUrlOf(shared, 'payments')).toBe('amqp://shared');

    const services = ['USERS', 'PRODUCTS', 'ORDERS', 'PAYMENTS', 'ORCHESTRATOR'];
    const own = loadConfig(Object.fromEntries(services.map((name) => [`BROKER_URL_${name}`, `amqp://${name}`])));
    expect(own.transport).toBe('rabbitmq');
    expect(brokerUrlOf(own, 'users')).toBe('amqp://USERS');
    expect(() => loadConfig({ BROKER_URL_ORDERS: 'amqp://orders' })).toThrow(
      'set BROKER_URL or BROKER_URL_USERS, BROKER_URL_PRODUCTS, BROKER_URL_PAYMENTS, BROKER_URL_ORCHESTRATOR',
    );
  });
});
