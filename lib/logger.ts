import pino from 'pino';

/**
 * Secrets are redacted by key wherever they appear, as a second line of defence: the code never
 * logs them on purpose.
 */
const loggerOptions: pino.LoggerOptions = {
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
};

/** A logger with the process's redaction, writing to `destination` (stdout by default) from `level` up. */
export const createLogger = (destination?: pino.DestinationStream, level?: pino.LevelWithSilent) =>
  pino({ ...loggerOptions, ...(level ? { level } : {}) }, destination ?? pino.destination(1));

/** One logger for the process. */
export const logger = createLogger();

export type Logger = pino.Logger;
