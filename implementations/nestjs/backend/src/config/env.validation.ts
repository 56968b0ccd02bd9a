import { preFix } from '../prefix';

/** The insecure placeholder secret of the old .env.example. */
export const DEFAULT_JWT_SECRET = 'change-me-in-production-use-long-random-string';

export const DEFAULTS = {
  REDIS_HOST: 'localhost',
  REDIS_PORT: '6379',
  JWT_EXPIRES_IN: '604800',
  PORT: '3000',
  CORS_ORIGIN: 'http://localhost:5173',
  STREAM_DELAY_MS: '30',
} as const;

/** A configuration problem found at startup; the message names the variable. */
export class ConfigurationError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigurationError';
  }
}

function text(raw: Record<string, unknown>, name: string): string | undefined {
  const value = raw[name];
  return typeof value === 'string' ? value : value === undefined ? undefined : String(value);
}

function isOrigin(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === value;
  } catch {
    return false;
  }
}

/**
 * Validates the environment (process env over .env) once, at startup, for
 * ConfigModule.forRoot({ validate }). Any problem stops the start before the
 * app listens: a missing or default JWT_SECRET above all (CFG-2, CFG-3).
 */
export function validateEnv(raw: Record<string, unknown>): Record<string, unknown> {
  const problems: string[] = [];
  const env: Record<string, unknown> = { ...raw };
  for (const [name, value] of Object.entries(DEFAULTS)) {
    if (text(raw, name) === undefined || text(raw, name) === '') env[name] = value;
  }

  const secret = text(raw, 'JWT_SECRET');
  if (secret === undefined || secret.trim() === '') {
    if (preFix('accept-missing-secret')) {
      env.JWT_SECRET = DEFAULT_JWT_SECRET;
    } else {
      problems.push(
        'JWT_SECRET is not set (or empty): set it to a long random string, e.g. `openssl rand -base64 32`, in the environment or in backend/.env',
      );
    }
  } else if (secret === DEFAULT_JWT_SECRET && !preFix('accept-default-secret')) {
    problems.push(
      'JWT_SECRET is still the placeholder from .env.example: replace it with a long random string',
    );
  }

  const databaseUrl = text(raw, 'DATABASE_URL');
  if (!databaseUrl) {
    problems.push('DATABASE_URL is not set: e.g. postgresql://user:password@localhost:5432/insight_garden');
  } else if (!/^postgres(ql)?:\/\//.test(databaseUrl)) {
    problems.push('DATABASE_URL must be a postgresql:// URL');
  }

  const integer = (name: keyof typeof DEFAULTS, min: number, max: number) => {
    const value = String(env[name]);
    const n = Number(value);
    if (!/^\d+$/.test(value) || n < min || n > max) {
      problems.push(`${name} must be an integer from ${min} to ${max}, not "${value}"`);
    }
  };
  integer('PORT', 0, 65535);
  integer('REDIS_PORT', 1, 65535);
  integer('JWT_EXPIRES_IN', 1, 10 * 365 * 24 * 3600);
  integer('STREAM_DELAY_MS', 0, 60000);

  const origins = String(env.CORS_ORIGIN)
    .split(',')
    .map((o) => o.trim())
    .filter((o) => o.length > 0);
  const bad = origins.filter((o) => !isOrigin(o));
  if (origins.length === 0 || bad.length > 0) {
    problems.push(
      `CORS_ORIGIN must list origins (scheme://host[:port], comma-separated, no path): ${bad.join(', ') || '(empty)'}`,
    );
  }

  if (problems.length > 0) throw new ConfigurationError(problems);
  return env;
}

/** The allowed browser origins, from CORS_ORIGIN. */
export function corsOrigins(value: string): string[] {
  return value
    .split(',')
    .map((o) => o.trim())
    .filter((o) => o.length > 0);
}
