import { FormEvent, useCallback, useEffect, useState } from 'react';
import { Link } from 'react-router';
import { apiRequest } from '../api/client';
import { useAuthedApi } from '../api/useAuthedApi';

export interface DocumentItem {
  id: string;
  title: string;
  content: string;
  createdAt: string;
}

/** /app: the caller's documents, and a form to add one. */
export function DocumentsPage() {
  const authed = useAuthedApi();
  const [documents, setDocuments] = useState<DocumentItem[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(
    () =>
      authed((token) => apiRequest<DocumentItem[]>('/documents', { token }))
        .then((list) => list && setDocuments(list))
        .catch((failure: Error) => setError(failure.message)),
    [authed],
  );

  useEffect(() => {
    void load();
  }, [load]);

  async function create(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    try {
      const created = await authed((token) =>
        apiRequest<DocumentItem>('/documents', {
          method: 'POST',
          token,
          body: { title: String(data.get('title') ?? ''), content: String(data.get('content') ?? '') },
        }),
      );
      if (created) {
        form.reset();
        await load();
      }
    } catch (failure) {
      setError((failure as Error).message);
    }
  }

  return (
    <main className="documents">
      <h1>Your documents</h1>
      {error && (
        <p className="notice" role="alert">
          {error}
        </p>
      )}
      {documents === null ? (
        <p>Loading documents…</p>
      ) : documents.length === 0 ? (
        <p>No documents yet.</p>
      ) : (
        <ul>
          {documents.map((doc) => (
            <li key={doc.id}>
              <Link to={`/chat/${doc.id}`}>{doc.title}</Link>
            </li>
          ))}
        </ul>
      )}
      <h2>New document</h2>
      <form onSubmit={create} className="new-document">
        <input name="title" placeholder="Title" required maxLength={200} />
        <textarea name="content" placeholder="Content" required rows={6} />
        <button type="submit">Create document</button>
      </form>
    </main>
  );
}
