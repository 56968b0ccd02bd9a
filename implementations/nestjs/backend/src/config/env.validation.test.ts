import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigurationError, DEFAULT_JWT_SECRET, validateEnv } from './env.validation';

const base = { DATABASE_URL: 'postgresql://u:p@localhost:5432/db', JWT_SECRET: 'a-long-random-secret-for-tests' };

test('a valid environment gets the defaults', () => {
  const env = validateEnv(base);
  assert.equal(env.JWT_EXPIRES_IN, '604800');
  assert.equal(env.CORS_ORIGIN, 'http://localhost:5173');
  assert.equal(env.PORT, '3000');
});

for (const [what, secret] of [
  ['unset', undefined],
  ['empty', ''],
  ['the known default', DEFAULT_JWT_SECRET],
] as const) {
  test(`JWT_SECRET ${what} stops the start, naming it`, () => {
    assert.throws(
      () => validateEnv({ ...base, JWT_SECRET: secret }),
      (error: unknown) => error instanceof ConfigurationError && /JWT_SECRET/.test(error.message),
    );
  });
}

test('JWT_EXPIRES_IN and CORS_ORIGIN are checked', () => {
  assert.throws(() => validateEnv({ ...base, JWT_EXPIRES_IN: '7d' }), /JWT_EXPIRES_IN/);
  assert.throws(() => validateEnv({ ...base, CORS_ORIGIN: 'http://localhost:5173/' }), /CORS_ORIGIN/);
  assert.doesNotThrow(() => validateEnv({ ...base, CORS_ORIGIN: 'http://localhost:5173, https://app.example.com' }));
});
