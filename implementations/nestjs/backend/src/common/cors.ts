import type { CorsOptions } from '@nestjs/common/interfaces/external/cors-options.interface';
import { corsOrigins } from '../config/env.validation';
import { preFix } from '../prefix';

/**
 * Credentialed CORS for the origins of CORS_ORIGIN, exactly: the answer
 * names the request's origin when it is one of them (never `*`, which a
 * browser refuses with credentials), lists Authorization by name (a `*`
 * never covers it) and says Vary: Origin. The middleware runs before every
 * route, so errors and the event stream carry the headers too.
 */
export function corsOptions(corsOrigin: string): CorsOptions {
  let origin: CorsOptions['origin'] = corsOrigins(corsOrigin);
  if (preFix('cors-wildcard')) origin = '*';
  if (preFix('cors-reflect-origin')) origin = true;
  if (preFix('cors-hardcoded-origin')) origin = 'http://localhost:5173';
  if (preFix('cors-origin-prefix')) origin = startsWithAnAllowedOrigin(corsOrigins(corsOrigin));
  if (preFix('cors-null-origin')) origin = [...corsOrigins(corsOrigin), 'null'];
  if (preFix('cors-any-port')) origin = sameSchemeAndHost(corsOrigins(corsOrigin));
  return {
    origin,
    credentials: true,
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
    allowedHeaders: ['Authorization', 'Content-Type', 'Accept', 'Cache-Control', 'Last-Event-ID'],
    exposedHeaders: ['Retry-After'],
    maxAge: 600,
    optionsSuccessStatus: 204,
  };
}

type OriginCallback = (err: Error | null, allow?: boolean) => void;

/** `cors-origin-prefix`: `origin.startsWith(allowed)`, which grants `<allowed>.evil.example`. */
function startsWithAnAllowedOrigin(allowed: string[]) {
  return (origin: string | undefined, callback: OriginCallback): void =>
    callback(null, origin !== undefined && allowed.some((a) => origin.startsWith(a)));
}

/** `cors-any-port`: scheme and host compared, the port forgotten. */
function sameSchemeAndHost(allowed: string[]) {
  const withoutPort = (origin: string): string | null => {
    try {
      const url = new URL(origin);
      return `${url.protocol}//${url.hostname}`;
    } catch {
      return null;
    }
  };
  const hosts = new Set(allowed.map(withoutPort));
  return (origin: string | undefined, callback: OriginCallback): void => {
    const host = origin === undefined ? null : withoutPort(origin);
    callback(null, host !== null && hosts.has(host));
  };
}
