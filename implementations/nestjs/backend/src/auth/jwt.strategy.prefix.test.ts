// The pre-fix switches are read once, when src/prefix.ts is loaded; node
// --test runs every test file in a process of its own, so this one can
// switch two on before it loads the strategy.
process.env.IG_PREFIX = 'deleted-account-500,non-id-sub-500';

import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import type { PrismaService } from '../prisma/prisma.service';

/* eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded once IG_PREFIX is set */
const { callerOf } = require('./jwt.strategy') as typeof import('./jwt.strategy');

/** A database without accounts; `looked` lists the ids Prisma was asked for. */
function noAccounts(): { prisma: PrismaService; looked: unknown[] } {
  const looked: unknown[] = [];
  const prisma = {
    user: {
      findUnique: async ({ where }: { where: { id: unknown } }) => {
        looked.push(where.id);
        return null;
      },
    },
  } as unknown as PrismaService;
  return { prisma, looked };
}

test('deleted-account-500 lets a token of a missing account through, without its account', async () => {
  const { prisma } = noAccounts();
  const sub = randomUUID();
  const caller = await callerOf(prisma, { sub });
  assert.deepEqual(caller, { id: sub });
});

test('non-id-sub-500 hands a sub that is not a UUID to the database', async () => {
  const { prisma, looked } = noAccounts();
  await callerOf(prisma, { sub: 'not-an-id' });
  await callerOf(prisma, { sub: 12345 });
  assert.deepEqual(looked, ['not-an-id', 12345]);
});
