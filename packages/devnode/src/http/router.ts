import type { IncomingMessage } from 'node:http';
import type { Reply } from './reply.js';

export interface RequestContext<S> {
  req: IncomingMessage;
  url: URL;
  params: Record<string, string>;
  services: S;
}

export interface Route<S> {
  method: 'GET' | 'POST' | 'HEAD' | 'PATCH';
  /** Path with `:name` segments, e.g. `/s5/blob/:id`. Also the stats key (`GET /s5/blob/:id`). */
  pattern: string;
  /** Subject to injected latency, errors and resets (the `/s5/*` API, never admin routes). */
  faultable: boolean;
  /** Only answered for loopback clients. */
  adminOnly: boolean;
  handle(ctx: RequestContext<S>): Promise<Reply>;
}

export type Match<S> =
  | { kind: 'route'; route: Route<S>; params: Record<string, string> }
  | { kind: 'method-not-allowed'; allowed: string[] }
  | { kind: 'not-found' };

export interface RouterOptions {
  /**
   * Answer HEAD with the GET route of the same path (body omitted) when no HEAD route is declared.
   * The devnode does; Alfred (Dart) does not, so a HEAD there is a 404.
   */
  headFromGet?: boolean;
}

/** A tiny exact-segment router: the node has a dozen fixed routes, no need for a framework. */
export class Router<S> {
  readonly #routes: Route<S>[] = [];
  readonly #headFromGet: boolean;

  constructor(options: RouterOptions = {}) {
    this.#headFromGet = options.headFromGet ?? true;
  }

  add(route: Route<S>): this {
    this.#routes.push(route);
    return this;
  }

  match(method: string, pathname: string): Match<S> {
    const segments = pathname.split('/');
    const allowed: string[] = [];
    for (const route of this.#routes) {
      const params = matchPattern(route.pattern, segments);
      if (!params) continue;
      // HEAD is answered by any GET route (body omitted) unless a HEAD route is declared.
      const headViaGet = this.#headFromGet && method === 'HEAD' && route.method === 'GET' && !this.#hasExact('HEAD', segments);
      if (route.method === method || headViaGet) {
        return { kind: 'route', route, params };
      }
      allowed.push(route.method);
    }
    return allowed.length ? { kind: 'method-not-allowed', allowed } : { kind: 'not-found' };
  }

  #hasExact(method: string, segments: string[]): boolean {
    return this.#routes.some((r) => r.method === method && matchPattern(r.pattern, segments));
  }
}

function matchPattern(pattern: string, segments: string[]): Record<string, string> | undefined {
  const parts = pattern.split('/');
  if (parts.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!;
    const s = segments[i]!;
    if (p.startsWith(':')) {
      if (!s) return undefined;
      params[p.slice(1)] = s;
    } else if (p !== s) return undefined;
  }
  return params;
}
