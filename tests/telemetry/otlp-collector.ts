import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';

/** One span as an OpenTelemetry collector receives it, with its resource's string attributes. */
export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  traceState?: string;
  resource: Record<string, string>;
}

/** What OTLP/HTTP carries in JSON, the encoding @opentelemetry/exporter-trace-otlp-http sends. */
interface ExportRequest {
  resourceSpans: {
    resource: { attributes: { key: string; value: { stringValue?: string } }[] };
    scopeSpans: { spans: Omit<ReceivedSpan, 'resource'>[] }[];
  }[];
}

/**
 * A collector of OTLP over HTTP (JSON) on a free port, keeping every span posted to it, with the
 * path and headers of each post.
 */
export class OtlpCollector {
  readonly spans: ReceivedSpan[] = [];
  readonly posts: { path: string; headers: IncomingHttpHeaders }[] = [];

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<OtlpCollector> {
    let collector: OtlpCollector | undefined;
    const server = createServer((request, response) => {
      let body = '';
      request.setEncoding('utf8');
      request.on('data', (chunk: string) => (body += chunk));
      request.on('end', () => {
        collector!.receive(request.url!, request.headers, JSON.parse(body) as ExportRequest);
        response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    collector = new OtlpCollector(server, `http://127.0.0.1:${(server.address() as { port: number }).port}`);
    return collector;
  }

  /** The spans of one trace. */
  trace(traceId: string): ReceivedSpan[] {
    return this.spans.filter((span) => span.traceId === traceId);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private receive(path: string, headers: IncomingHttpHeaders, sent: ExportRequest) {
    this.posts.push({ path, headers });
    for (const { resource, scopeSpans } of sent.resourceSpans) {
      const attributes = Object.fromEntries(
        resource.attributes.flatMap(({ key, value }) =>
          value.stringValue === undefined ? [] : [[key, value.stringValue]],
        ),
      );
      for (const scope of scopeSpans)
        for (const span of scope.spans) this.spans.push({ ...span, resource: attributes });
    }
  }
}
