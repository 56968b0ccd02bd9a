import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import type { ConfigService } from '@nestjs/config';
import type { PrismaService } from '../prisma/prisma.service';
import { JwtStrategy } from './jwt.strategy';

const ACCOUNT = { id: randomUUID(), email: 'ada@example.com', name: 'Ada' };

/** A strategy over one stored account; `looked` lists the ids Prisma was asked for. */
function strategy(): { jwt: JwtStrategy; looked: unknown[] } {
  const looked: unknown[] = [];
  const config = { getOrThrow: () => 'unit-test-secret' } as unknown as ConfigService;
  const prisma = {
    user: {
      findUnique: async ({ where }: { where: { id: unknown } }) => {
        looked.push(where.id);
        return where.id === ACCOUNT.id ? ACCOUNT : null;
      },
    },
  } as unknown as PrismaService;
  return { jwt: new JwtStrategy(config, prisma), looked };
}

test('a token of an existing account carries the account', async () => {
  const { jwt } = strategy();
  assert.deepEqual(await jwt.validate({ sub: ACCOUNT.id }), { id: ACCOUNT.id, account: ACCOUNT });
});

test('a token whose account does not exist is refused', async () => {
  const { jwt, looked } = strategy();
  const unknown = randomUUID();
  assert.equal(await jwt.validate({ sub: unknown }), false);
  assert.deepEqual(looked, [unknown]);
});

test('a sub that is not a UUID is refused without asking the database', async () => {
  const { jwt, looked } = strategy();
  for (const sub of ['not-an-id', '', 12345, null, undefined, { id: ACCOUNT.id }, [ACCOUNT.id]]) {
    assert.equal(await jwt.validate({ sub }), false, JSON.stringify(sub));
  }
  assert.deepEqual(looked, []);
});
