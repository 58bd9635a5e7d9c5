import pino from 'pino';
import pretty from 'pino-pretty';

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

/**
 * In a terminal during development, lines for people (pino-pretty, written synchronously so a
 * start-up failure's last line is not lost to the exit); JSON lines everywhere else, or with
 * LOG_FORMAT=json.
 */
const standardOutput = (): pino.DestinationStream =>
  process.stdout.isTTY && process.env.NODE_ENV !== 'production' && process.env.LOG_FORMAT !== 'json'
    ? pretty({ sync: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' })
    : pino.destination(1);

/** A logger with the process's redaction, writing to `destination` (stdout by default) from `level` up. */
export const createLogger = (destination?: pino.DestinationStream, level?: pino.LevelWithSilent) =>
  pino({ ...loggerOptions, ...(level ? { level } : {}) }, destination ?? standardOutput());

/** For a command line, whose output is its standard output: its log lines go to standard error. */
export const stderrLogger = () => createLogger(pino.destination(2));

/** One logger for the process. */
export const logger = createLogger();

export type Logger = pino.Logger;
