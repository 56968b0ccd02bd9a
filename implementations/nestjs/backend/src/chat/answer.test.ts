import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildAnswer, toDeltas } from './answer';

const GARDEN =
  'Tomatoes need full sun and deep watering. Basil grows well beside tomatoes. Water the garden early in the morning. Mulch keeps the soil moist in summer. Prune tomatoes to let air reach the leaves.';

test('the answer is made of the sentences sharing the most words with the question', () => {
  assert.match(buildAnswer('Garden notes', GARDEN, 'How should I water tomatoes?'), /deep watering/);
  assert.match(buildAnswer('Garden notes', GARDEN, 'What grows beside tomatoes?'), /Basil grows well beside tomatoes\./);
});

test('a question the document says nothing about still gets an answer', () => {
  assert.match(buildAnswer('Garden notes', GARDEN, 'Quantum chromodynamics?'), /^I found nothing about that in "Garden notes"/);
});

test('the deltas join back into the answer, a few words each', () => {
  const answer = 'Roses need sun. Roses need water. Roses need pruning in spring.';
  const deltas = toDeltas(answer);
  assert.equal(deltas.join(''), answer);
  assert.ok(deltas.length >= 4);
});
