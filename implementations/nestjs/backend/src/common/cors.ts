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
