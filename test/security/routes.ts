import crypto from 'node:crypto';
import type { Express } from 'express';
import type { Access } from '../../src/http/authorize';

/** One method of one route, as the router itself holds it. */
export interface AppRoute {
  method: string;
  path: string;
  api: boolean;
  /** The access of every allow() handler on the route, in order (exactly one is expected). */
  accesses: Access[];
  /** Whether allow() is the first handler, so nothing runs before the authorization decision. */
  allowFirst: boolean;
}

interface Layer {
  route?: { path: unknown; methods: Record<string, boolean>; stack: { handle: unknown }[] };
  handle?: { stack?: Layer[] };
  rawPath?: unknown;
  slash?: boolean;
}

const accessOf = (handle: unknown): Access | undefined =>
  (handle as { access?: Access } | undefined)?.access;

function mountPath(layer: Layer): string {
  if (layer.slash) return '';
  // router 2.x keeps the path a router was mounted at; a RegExp or array mount is not supported.
  if (typeof layer.rawPath !== 'string')
    throw new Error(`cannot tell where a router is mounted: ${String(layer.rawPath)}`);
  return layer.rawPath === '/' ? '' : layer.rawPath.replace(/\/$/, '');
}

function walk(stack: Layer[], prefix: string, out: AppRoute[]): void {
  for (const layer of stack) {
    if (layer.route) {
      const paths = [layer.route.path].flat();
      const accesses = layer.route.stack
        .map((s) => accessOf(s.handle))
        .filter((a) => a !== undefined);
      for (const p of paths) {
        if (typeof p !== 'string') throw new Error(`route path is not a string: ${String(p)}`);
        for (const method of Object.keys(layer.route.methods)) {
          if (method === '_all') throw new Error(`${prefix}${p}: router.all() is not enumerable`);
          const path = prefix + p;
          out.push({
            method,
            path,
            api: path.startsWith('/api/'),
            accesses,
            allowFirst: accessOf(layer.route.stack[0]?.handle) !== undefined,
          });
        }
      }
    } else if (layer.handle?.stack) {
      walk(layer.handle.stack, prefix + mountPath(layer), out);
    }
  }
}

/** Every route of the application, read from Express's own router (so none can be missed). */
export function listRoutes(app: Express): AppRoute[] {
  const router = (app as unknown as { router: { stack: Layer[] } }).router;
  const out: AppRoute[] = [];
  walk(router.stack, '', out);
  return out;
}

/** A syntactically valid invitation link token that names no invitation. */
export const unknownInvitationToken = () => `inv_${crypto.randomBytes(32).toString('base64url')}`;

/** The route's path with every parameter filled: a random UUID unless `values` says otherwise. */
export function fillPath(path: string, values: Record<string, string> = {}): string {
  return path.replace(/[:*]([A-Za-z_][A-Za-z0-9_]*)/g, (_m, name: string) =>
    encodeURIComponent(
      values[name] ?? (name === 'token' ? unknownInvitationToken() : crypto.randomUUID()),
    ),
  );
}

export const describeRoute = (r: { method: string; path: string }) =>
  `${r.method.toUpperCase()} ${r.path}`;
