import assert from 'node:assert/strict';
import { test } from 'node:test';
import { redactUrl } from './request-logger.middleware';

test('token-like query values never reach the log', () => {
  assert.equal(redactUrl('/auth/me?token=abc.def.ghi'), '/auth/me?token=[redacted]');
  assert.equal(redactUrl('/documents?page=1&token=x&access_token=y'), '/documents?page=1&token=[redacted]&access_token=[redacted]');
  assert.equal(redactUrl('/documents?page=1'), '/documents?page=1');
  assert.equal(redactUrl('/health'), '/health');
});
