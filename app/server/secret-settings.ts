import { z } from 'zod';
import { ServiceName, type CardKeys } from '../../contracts';
import { urlVariable } from '../../broker/operator/rabbitmq-permissions';
import { databaseServices, databaseUrlVariable } from '../../db/locations';
import { assertNever } from '../../lib/assert-never';

/**
 * The rules of the settings that hold secrets (app/server/config.ts reads them all): which they
 * are, what an error may show of them, and what production refuses of them.
 */

export const DEV_JWT_SECRET = 'development-only-jwt-secret-do-not-use-in-production';
export const DEV_CARD_KEY = 'development-only-card-sealing-key';
export const DEV_ADMIN_PASSWORD = 'admin';

/** The secrets that have development defaults; CARD_TOKEN_KEY stands for CARD_TOKEN_KEYS too. */
export type Secret = 'JWT_SECRET' | 'CARD_TOKEN_KEY' | 'ADMIN_PASSWORD';
/** How long each secret must be in production. */
const MIN_LENGTH: Record<Secret, number> = { JWT_SECRET: 32, CARD_TOKEN_KEY: 32, ADMIN_PASSWORD: 12 };
export const SECRETS = Object.keys(MIN_LENGTH) as Secret[];
/** The values anyone can read in this repository. */
const KNOWN = new Set([DEV_JWT_SECRET, DEV_CARD_KEY, DEV_ADMIN_PASSWORD]);
const isPlaceholder = (value: string) => KNOWN.has(value) || value.toLowerCase().startsWith('change-me');

/**
 * The settings that may hold a password, token or key: each may come from a file instead, as
 * <NAME>_FILE (lib/secret-files.ts), and none is ever repeated in an error but a URL, masked.
 */
export const secretSettingNames = [
  'JWT_SECRET',
  'CARD_TOKEN_KEY',
  'CARD_TOKEN_KEYS',
  'ADMIN_PASSWORD',
  'BROKER_URL',
  ...ServiceName.options.map(urlVariable),
  'DATABASE_URL',
  ...databaseServices.map(databaseUrlVariable),
];
/** The secrets that are not URLs: an error names them and never shows any part of them. */
export const NEVER_SHOWN = new Set([
  'JWT_SECRET',
  'CARD_TOKEN_KEY',
  'CARD_TOKEN_KEYS',
  'ADMIN_PASSWORD',
  // The collector's API key, read by the OpenTelemetry SDK itself.
  'OTEL_EXPORTER_OTLP_HEADERS',
]);

/** The secrets' settings as config.ts parses them; undefined when unset. */
export interface SecretValues {
  JWT_SECRET?: string;
  CARD_TOKEN_KEY?: string;
  CARD_TOKEN_KEYS?: CardKeys;
  ADMIN_PASSWORD?: string;
}

/** Each value a secret was given, by the name an error calls it; undefined when unset. */
export function secretValues(values: SecretValues, secret: Secret): [string, string | undefined][] {
  switch (secret) {
    case 'JWT_SECRET':
      return [['JWT_SECRET', values.JWT_SECRET]];
    case 'CARD_TOKEN_KEY':
      return values.CARD_TOKEN_KEYS
        ? values.CARD_TOKEN_KEYS.map((key, index) => [`CARD_TOKEN_KEYS key ${index + 1}`, key])
        : [['CARD_TOKEN_KEY', values.CARD_TOKEN_KEY]];
    case 'ADMIN_PASSWORD':
      return [['ADMIN_PASSWORD', values.ADMIN_PASSWORD]];
    default:
      return assertNever(secret);
  }
}

/**
 * What production refuses of the secrets the caller uses, by name and never by value: a secret
 * left unset (the development default, admin/admin for the first account), one of the values this
 * repository shows (development defaults, `.env.example`'s change-me placeholders), or one short
 * enough to guess; of several card keys, each.
 */
export function weakSecrets(values: SecretValues, secrets: readonly Secret[]): string[] {
  return secrets.flatMap((secret) =>
    secretValues(values, secret).flatMap(([name, value]) => {
      if (!value) return [`${name}: unset, so the development default`];
      if (isPlaceholder(value)) return [`${name}: a value published in this repository`];
      if (value.length < MIN_LENGTH[secret]) return [`${name}: shorter than ${MIN_LENGTH[secret]} characters`];
      return [];
    }),
  );
}

/**
 * `CARD_TOKEN_KEYS`: card-sealing keys separated by commas, newest first. Its problems say which
 * key by place: a key is never shown.
 */
export const cardKeyList = z.string().transform((text, context) => {
  const keys = text.split(',').map((key) => key.trim());
  keys.forEach((key, index) => {
    const first = keys.indexOf(key);
    if (key === '') context.addIssue({ code: 'custom', message: `has an empty key (key ${index + 1})` });
    else if (first !== index) {
      context.addIssue({ code: 'custom', message: `lists one key twice (keys ${first + 1} and ${index + 1})` });
    }
  });
  return keys as unknown as CardKeys;
});
