import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConflictException } from '@nestjs/common';
import { Prisma } from '../generated/prisma/client';
import { isDatabaseOutage, isUniqueViolation } from './prisma-errors';

const known = (code: string, message = 'x') =>
  new Prisma.PrismaClientKnownRequestError(message, { code, clientVersion: '7.10.0' });

test('P2002 is a unique violation, not an outage', () => {
  assert.equal(isUniqueViolation(known('P2002')), true);
  assert.equal(isDatabaseOutage(known('P2002')), false);
});

test('what Prisma 7 with the pg adapter raises during an outage is an outage', () => {
  assert.equal(isDatabaseOutage(known('P1001', "Can't reach database server at 127.0.0.1:1")), true);
  assert.equal(isDatabaseOutage(known('P1017', 'Server has closed the connection.')), true);
  assert.equal(isDatabaseOutage(new Error('Connection terminated unexpectedly')), true);
  assert.equal(isDatabaseOutage(new Prisma.PrismaClientInitializationError('no', '7.10.0')), true);
});

test('other errors are not', () => {
  assert.equal(isDatabaseOutage(new ConflictException('Email already registered')), false);
  assert.equal(isDatabaseOutage(new Error('boom')), false);
  assert.equal(isDatabaseOutage(known('P2025')), false);
});
