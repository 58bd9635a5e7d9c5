import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config';

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
});
