/**
 * The chat answer needs no model: it is made of the document's sentences
 * that share the most words with the question, in the document's order,
 * and streamed a few words at a time.
 */
const STOP_WORDS = new Set(
  'a an and are about can could did does do for from has have how into its the their them then there these this those was were what when where which who why will with would should your you our out any all not but'.split(
    ' ',
  ),
);

const MAX_SENTENCES = 3;
export const WORDS_PER_DELTA = 2;

function stem(word: string): string {
  for (const suffix of ['ing', 'es', 'ed', 's']) {
    if (word.endsWith(suffix) && word.length - suffix.length >= 3) return word.slice(0, -suffix.length);
  }
  return word;
}

function keywords(text: string): Set<string> {
  const words = text.toLowerCase().match(/[\p{L}\p{N}']+/gu) ?? [];
  return new Set(words.filter((w) => w.length >= 3 && !STOP_WORDS.has(w)).map(stem));
}

export function sentences(content: string): string[] {
  return content
    .split(/(?<=[.!?])\s+|\n+/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

export function buildAnswer(title: string, content: string, question: string): string {
  const wanted = keywords(question);
  const all = sentences(content);
  const scored = all
    .map((text, index) => {
      const words = keywords(text);
      let score = 0;
      for (const w of wanted) if (words.has(w)) score++;
      return { text, index, score };
    })
    .filter((s) => s.score > 0)
    .sort((a, b) => b.score - a.score || a.index - b.index)
    .slice(0, MAX_SENTENCES)
    .sort((a, b) => a.index - b.index);
  if (scored.length > 0) return scored.map((s) => s.text).join(' ');
  const opening = all.slice(0, 2).join(' ');
  return opening.length > 0
    ? `I found nothing about that in "${title}". It says: ${opening}`
    : `"${title}" is empty.`;
}

/** The answer cut into deltas; joined together they give the answer back. */
export function toDeltas(answer: string, wordsPerDelta = WORDS_PER_DELTA): string[] {
  const words = answer.split(/\s+/).filter((w) => w.length > 0);
  const deltas: string[] = [];
  for (let i = 0; i < words.length; i += wordsPerDelta) {
    const piece = words.slice(i, i + wordsPerDelta).join(' ');
    deltas.push(i + wordsPerDelta < words.length ? `${piece} ` : piece);
  }
  return deltas.length > 0 ? deltas : [answer];
}
