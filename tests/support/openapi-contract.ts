import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

type Responses = Record<string, { content?: Record<string, unknown> }>;
export interface Document {
  paths: Record<string, Record<string, { responses: Responses; requestBody?: { content: Record<string, unknown> } }>>;
}

/**
 * The REST contract as the OpenAPI document states it, used to check real answers: each answer's
 * status must be one the document lists for its route, and its JSON body must match the schema
 * the document gives for that status.
 */
export class OpenApiContract {
  private readonly ajv = new Ajv2020({ strict: false, allErrors: true });
  private readonly routes: { method: string; path: string; pattern: RegExp; responses: Responses }[];
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(document: Document) {
    addFormats.default(this.ajv);
    this.ajv.addSchema(document as object, 'openapi.json');
    this.routes = Object.entries(document.paths).flatMap(([path, operations]) =>
      Object.entries(operations).map(([method, operation]) => ({
        method,
        path,
        pattern: new RegExp(`^${path.replace(/\{[^}]+\}/g, '[^/]+')}$`),
        responses: operation.responses,
      })),
    );
  }

  /** What is wrong with this answer, by the document; undefined when it agrees. */
  problem(method: string, url: string, status: number, body: unknown): string | undefined {
    const path = url.split('?')[0]!;
    const what = `${method} ${path} → ${status}`;
    const route = this.routes.find((r) => r.method === method.toLowerCase() && r.pattern.test(path));
    if (!route) return status === 404 ? undefined : `${what}: no such route in the document`;
    const response = route.responses[String(status)];
    if (!response) return `${what}: the document lists ${Object.keys(route.responses).join(', ')}`;
    if (!response.content?.['application/json'] || body === undefined) return undefined;
    const validate = this.validatorOf(route.path, route.method, String(status));
    return validate(body) ? undefined : `${what}: ${this.ajv.errorsText(validate.errors)}`;
  }

  /** What is wrong with a JSON request body, by the document (as a validating proxy would judge it). */
  requestProblem(method: string, path: string, body: unknown): string | undefined {
    const route = this.routes.find((r) => r.method === method.toLowerCase() && r.pattern.test(path));
    if (!route) return `${method} ${path}: no such route in the document`;
    const validate = this.validatorAt([
      'paths',
      route.path,
      route.method,
      'requestBody',
      'content',
      'application/json',
      'schema',
    ]);
    return validate(body) ? undefined : `${method} ${path}: ${this.ajv.errorsText(validate.errors)}`;
  }

  private validatorOf(path: string, method: string, status: string): ValidateFunction {
    return this.validatorAt(['paths', path, method, 'responses', status, 'content', 'application/json', 'schema']);
  }

  private validatorAt(parts: string[]): ValidateFunction {
    const pointer = parts.map((part) => part.replaceAll('~', '~0').replaceAll('/', '~1')).join('/');
    const key = `openapi.json#/${pointer}`;
    let validate = this.validators.get(key);
    if (!validate) this.validators.set(key, (validate = this.ajv.compile({ $ref: key })));
    return validate;
  }
}
