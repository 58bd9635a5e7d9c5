/** Maps a request path to the base URL of the process that serves it. */
export type Router = (path: string) => string;

export interface Reply<T = any> {
  status: number;
  body: T;
}

/** The request got no answer (refused, reset, timed out): it may or may not have taken effect. */
export class NoAnswer extends Error {
  constructor(what: string, cause: unknown) {
    super(
      `${what}: no answer (${cause instanceof Error ? (cause.cause instanceof Error ? cause.cause.message : cause.message) : String(cause)})`,
    );
  }
}

export interface CallOptions {
  token?: string;
  body?: unknown;
  headers?: Record<string, string>;
  timeoutMs?: number;
}

/** The REST API over real HTTP (fetch), against processes that may be down. */
export class Http {
  constructor(private readonly route: Router) {}

  /** One request; throws NoAnswer when there was no HTTP answer. */
  async call<T = any>(method: string, path: string, options: CallOptions = {}): Promise<Reply<T>> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    let text: string;
    try {
      response = await fetch(`${this.route(path)}${path}`, {
        method,
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
      });
      text = await response.text();
    } catch (error) {
      throw new NoAnswer(`${method} ${path}`, error);
    }
    let body: unknown = undefined;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = text;
    }
    return { status: response.status, body: body as T };
  }

  /**
   * Repeats the request while it gets no answer or a 5xx (the process is down or restarting),
   * until `deadline`; any other answer is returned as it is.
   */
  async retrying<T = any>(
    method: string,
    path: string,
    options: CallOptions & { deadline?: number; onRetry?: (why: string) => void } = {},
  ): Promise<Reply<T>> {
    const deadline = options.deadline ?? Date.now() + 60_000;
    for (let attempt = 0; ; attempt++) {
      let why: string;
      try {
        const reply = await this.call<T>(method, path, options);
        if (reply.status < 500) return reply;
        why = `${reply.status} ${JSON.stringify(reply.body)}`;
      } catch (error) {
        if (!(error instanceof NoAnswer)) throw error;
        why = error.message;
      }
      options.onRetry?.(why);
      if (Date.now() > deadline) throw new Error(`${method} ${path} kept failing until its deadline: ${why}`);
      await new Promise((resolve) => setTimeout(resolve, Math.min(50 * 2 ** attempt, 500)));
    }
  }
}
