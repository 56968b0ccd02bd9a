/**
 * Pre-fix switches: each one brings back one incident of the post-mortem the
 * way the code had it before the fix, so the conformance suite can be seen
 * catching it. They are read once from IG_PREFIX (comma-separated names) and
 * each name is checked at exactly one place in the code: search for
 * preFix('<name>').
 */
export const PREFIX_SWITCHES = {
  'unmapped-p2002': 'register maps no unique violation: a taken email answers 500',
  'unmapped-outage': 'no database error maps to 503: an outage answers 500',
  'prisma7-literal-fix':
    'only PrismaClientInitializationError means an outage, as the post-mortem wrote it; Prisma 7 with the pg adapter raises P1001, which answers 500',
  'register-check-then-insert':
    'register looks the email up, hashes, then inserts; the insert\'s unique violation is unmapped (500)',
  'no-query-token': 'the JWT strategy reads only the Authorization header, never ?token=',
  'accept-default-secret': 'starts with JWT_SECRET equal to the known default',
  'accept-missing-secret': 'starts without JWT_SECRET, signing with the known default',
  'expires-in-string':
    'JWT_EXPIRES_IN is handed to jsonwebtoken as a string, which reads a unitless string as milliseconds',
  'login-201': 'POST /auth/login has no @HttpCode(200): a login answers 201',
  'cors-wildcard': "CORS with origin '*' (and credentials)",
  'cors-reflect-origin': 'CORS with origin: true, reflecting any Origin with credentials',
  'cors-hardcoded-origin': 'CORS_ORIGIN is ignored for a hard-coded http://localhost:5173',
  'log-query-token': 'the request log prints the URL as it came, ?token= included',
  'stream-ignores-expiry':
    'the chat stream is guarded by a second passport strategy with ignoreExpiration: true: an expired token opens a stream',
  'deleted-account-500':
    'the JWT strategy does not refuse a token whose account is missing: GET /auth/me dereferences it (500)',
  'non-id-sub-500':
    'the token\'s sub goes to Prisma without a UUID check: a sub that is not a UUID answers 500 (P2023) on every route',
  'cors-origin-prefix': 'CORS grants any origin that starts with an allowed one (origin.startsWith)',
  'cors-null-origin': "CORS allows the origin 'null' besides CORS_ORIGIN",
  'cors-any-port': 'CORS compares scheme and host only: an allowed host is granted on any port',
} as const;

export type PreFixSwitch = keyof typeof PREFIX_SWITCHES;

function parse(raw: string | undefined): Set<string> {
  return new Set(
    (raw ?? '')
      .split(',')
      .map((name) => name.trim())
      .filter((name) => name.length > 0),
  );
}

const enabled = parse(process.env.IG_PREFIX);

/** Whether a pre-fix switch is on. */
export function preFix(name: PreFixSwitch): boolean {
  return enabled.has(name);
}

/** The switches that are on, and the names that are not switches at all. */
export function preFixStatus(): { on: PreFixSwitch[]; unknown: string[] } {
  const known = Object.keys(PREFIX_SWITCHES) as PreFixSwitch[];
  return {
    on: known.filter((name) => enabled.has(name)),
    unknown: [...enabled].filter((name) => !(name in PREFIX_SWITCHES)),
  };
}
