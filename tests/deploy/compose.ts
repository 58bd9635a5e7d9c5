import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

/** docker-compose.yml read as compose reads it, since no Docker engine runs here. */

const root = join(import.meta.dirname, '..', '..');
const composeText = () => readFileSync(join(root, 'docker-compose.yml'), 'utf8');

export interface ComposeService {
  image?: string;
  hostname?: string;
  build?: string;
  entrypoint?: string[];
  command?: string[];
  ports?: string[];
  volumes?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  deploy?: { replicas?: number };
  healthcheck?: { test: string[] };
  profiles?: string[];
}

export interface Compose {
  services: Record<string, ComposeService>;
}

/** The file as written: every `${…}` left in place, the YAML merge keys (`<<`) applied. */
export function composeAsWritten(): Compose {
  return parse(composeText(), { merge: true }) as Compose;
}

/** .env.example's values, as compose reads .env: `NAME=value` lines, comments left out. */
export const example = Object.fromEntries(
  [...readFileSync(join(root, '.env.example'), 'utf8').matchAll(/^(\w+)=(.*)$/gm)].map(([, name, value]) => [
    name!,
    value!,
  ]),
);

/**
 * docker-compose.yml as compose runs it with `env` as its .env: every `${VAR}`,
 * `${VAR:-default}` and `${VAR:?message}` replaced. Throws where compose would refuse to start.
 */
export function composeWith(env: Record<string, string>): Compose {
  const text = composeText().replace(
    /\$\{(\w+)(?:(:?[-?])([^}]*))?\}/g,
    (_, name: string, form: string | undefined, rest: string) => {
      if (env[name]) return env[name];
      if (form?.endsWith('?')) throw new Error(`compose refuses to start: ${rest} (${name})`);
      return form?.endsWith('-') ? rest : '';
    },
  );
  return parse(text, { merge: true }) as Compose;
}

/** What `docker compose up` starts: every service not kept for `run` by a profile. */
export const startedByUp = (compose: Compose) =>
  Object.entries(compose.services).filter(([, service]) => service.profiles === undefined);
