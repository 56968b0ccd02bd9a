import { FormEvent, useEffect, useState } from 'react';
import { Link, useParams } from 'react-router';
import { apiRequest, streamChat } from '../api/client';
import { useAuthedApi } from '../api/useAuthedApi';
import type { DocumentItem } from './DocumentsPage';

interface Exchange {
  question: string;
  answer: string;
  done: boolean;
}

/** /chat/:id: ask about one document and watch the answer stream in. */
export function ChatPage() {
  const { id = '' } = useParams();
  const authed = useAuthedApi();
  const [document, setDocument] = useState<DocumentItem | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [exchanges, setExchanges] = useState<Exchange[]>([]);
  const [streaming, setStreaming] = useState(false);

  useEffect(() => {
    let current = true;
    authed((token) => apiRequest<DocumentItem>(`/documents/${encodeURIComponent(id)}`, { token }))
      .then((doc) => current && doc && setDocument(doc))
      .catch((failure: Error) => current && setError(failure.message));
    return () => {
      current = false;
    };
  }, [authed, id]);

  async function send(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const question = String(new FormData(form).get('message') ?? '').trim();
    if (!question) return;
    form.reset();
    setError(null);
    setStreaming(true);
    setExchanges((list) => [...list, { question, answer: '', done: false }]);
    const update = (change: (e: Exchange) => Exchange) =>
      setExchanges((list) => list.map((e, i) => (i === list.length - 1 ? change(e) : e)));
    try {
      await authed((token) =>
        streamChat(id, question, token, { onDelta: (text) => update((e) => ({ ...e, answer: e.answer + text })) }),
      );
      update((e) => ({ ...e, done: true }));
    } catch (failure) {
      setError((failure as Error).message);
    } finally {
      setStreaming(false);
    }
  }

  return (
    <main className="chat">
      <p>
        <Link to="/app">← Your documents</Link>
      </p>
      <h1>{document?.title ?? '…'}</h1>
      {error && (
        <p className="notice" role="alert">
          {error}
        </p>
      )}
      <ol className="exchanges">
        {exchanges.map((e, i) => (
          <li key={i}>
            <p className="question">{e.question}</p>
            <p className="answer" aria-live="polite" aria-busy={!e.done}>
              {e.answer}
            </p>
          </li>
        ))}
      </ol>
      <form onSubmit={send}>
        <textarea name="message" placeholder="Ask about this document" required rows={3} />
        <button type="submit" disabled={streaming}>
          Send
        </button>
      </form>
    </main>
  );
}
