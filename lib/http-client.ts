/** A JSON answer of the shop's REST API, as command-line tools read it. */
export interface Answer {
  status: number;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** The request got no answer: `message` says why in one line (`cannot reach <url>: ECONNREFUSED`). */
export class Unreachable extends Error {}

/** One request to `base` + `path`, its JSON body parsed (null when it has none); throws Unreachable. */
export async function callJson(
  base: string,
  path: string,
  init: RequestInit = {},
  timeoutMs = 10_000,
): Promise<Answer> {
  let response: Response;
  try {
    response = await fetch(`${base}${path}`, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    throw new Unreachable(`cannot reach ${base}: ${whyUnreachable(error)}`);
  }
  const body: unknown = await response.json().catch(() => null);
  return { status: response.status, body };
}

/** `404 order not found`: the status and the contract's error message, or `HTTP 502`. */
export function describeAnswer({ status, body }: Answer): string {
  const message = body?.error?.message;
  return typeof message === 'string' ? `${status} ${message}` : `HTTP ${status}`;
}

function whyUnreachable(error: unknown): string {
  if (error instanceof Error && error.name === 'TimeoutError') return 'no answer in time';
  const cause = error instanceof Error ? (error.cause as { code?: string; message?: string } | undefined) : undefined;
  return cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
}

export interface AdminClientOptions {
  url: string;
  /** An admin's JWT; without it the client logs in as `admin`. */
  token?: string;
  admin: { email: string; password: string };
  timeoutMs?: number;
}

/** The admin routes of a running shop, as operators' tools call them: one-line errors, never a stack. */
export interface AdminClient {
  /** The answer to GET `path`; throws when the server refuses the token. */
  get(path: string): Promise<Answer>;
  /** The answer to POST `path` with `body` as JSON (and `headers`); throws when the server refuses the token. */
  post(path: string, body: unknown, headers?: Record<string, string>): Promise<Answer>;
  /** The body of a 200 answer; throws with the status and the error's message otherwise. */
  ok(answer: Answer): any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** Calls `url` as an admin: with `token`, or logged in once with `admin`'s email and password. */
export function adminClient({ url, token, admin, timeoutMs = 10_000 }: AdminClientOptions): AdminClient {
  const base = url.replace(/\/+$/, '');
  let bearer = token;
  const call = (path: string, init: RequestInit = {}) => callJson(base, path, init, timeoutMs);

  async function login(): Promise<string> {
    const answer = await call('/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(admin),
    });
    if (answer.status !== 200 || typeof answer.body?.token !== 'string') {
      throw new Error(
        `login as ${admin.email} failed: ${describeAnswer(answer)} (set ADMIN_EMAIL/ADMIN_PASSWORD, or give a token: --token or SAGA_SHOP_TOKEN)`,
      );
    }
    return answer.body.token;
  }

  async function asAdmin(path: string, init: RequestInit = {}): Promise<Answer> {
    bearer ??= await login();
    const answer = await call(path, { ...init, headers: { ...init.headers, authorization: `Bearer ${bearer}` } });
    if (answer.status === 401)
      throw new Error(
        `the server refused the ${token ? 'token given (--token or SAGA_SHOP_TOKEN)' : 'admin token'}: ${describeAnswer(answer)}`,
      );
    if (answer.status === 403) throw new Error(`the token is not an admin's: ${describeAnswer(answer)}`);
    return answer;
  }

  return {
    get: (path) => asAdmin(path),
    post: (path, body, headers = {}) =>
      asAdmin(path, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }),
    ok(answer) {
      if (answer.status !== 200) throw new Error(`unexpected answer from ${base}: ${describeAnswer(answer)}`);
      return answer.body;
    },
  };
}
