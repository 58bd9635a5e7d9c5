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
