import pino from 'pino';

/**
 * One logger for the process. Secrets are redacted by key wherever they appear, as a
 * second line of defence: the code never logs them on purpose.
 */
export const logger = pino({
  level: process.env.LOG_LEVEL ?? (process.env.NODE_ENV === 'test' ? 'silent' : 'info'),
  redact: {
    paths: [
      'password',
      '*.password',
      'token',
      '*.token',
      'cardNumber',
      '*.cardNumber',
      '*.*.cardNumber',
      'authorization',
      '*.authorization',
    ],
    censor: '[redacted]',
  },
});

export type Logger = pino.Logger;
