import { API_URL } from '../config';
import { preFix } from '../prefix';
import { useAuthStore } from '../store/authStore';

/** A 401 from the API. */
export class UnauthorizedError extends Error {}

/** Any other failed answer, with the API's message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function messageOf(data: unknown, status: number): string {
  const message = (data as { message?: unknown } | null)?.message;
  if (Array.isArray(message)) return message.join(', ');
  if (typeof message === 'string') return message;
  return `Request failed with ${status}`;
}

function headers(token: string | null | undefined, extra: Record<string, string> = {}): Record<string, string> {
  return token ? { ...extra, Authorization: `Bearer ${token}` } : extra;
}

/** A JSON request; `token` adds `Authorization: Bearer`. */
export async function apiRequest<T>(
  path: string,
  { method = 'GET', body, token }: { method?: string; body?: unknown; token?: string | null } = {},
): Promise<T> {
  const response = await fetch(`${API_URL}${path}`, {
    method,
    credentials: 'include',
    headers: headers(token, body === undefined ? {} : { 'Content-Type': 'application/json' }),
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data: unknown = await response.json().catch(() => null);
  if (response.status === 401) throw new UnauthorizedError(messageOf(data, 401));
  if (!response.ok) throw new ApiError(response.status, messageOf(data, response.status));
  return data as T;
}

/**
 * The token as the store held it when this module was loaded, before the
 * session was rehydrated: what a client built once at import time sends.
 */
const tokenWhenLoaded = useAuthStore.getState().accessToken;

interface StreamHandlers {
  onDelta: (text: string) => void;
  signal?: AbortSignal;
}

/**
 * Streams the answer to `message` over POST + server-sent events, read with
 * fetch and a ReadableStream (EventSource can neither POST nor send
 * headers), with `Authorization: Bearer <token>`. Resolves, once the
 * response has ended, with the stored message's id from `done`.
 */
export async function streamChat(
  documentId: string,
  message: string,
  token: string | null,
  { onDelta, signal }: StreamHandlers,
): Promise<string> {
  const authorization = preFix('stream-bearer-null')
    ? { Authorization: `Bearer ${tokenWhenLoaded}` }
    : headers(token);
  const response = await fetch(`${API_URL}/documents/${encodeURIComponent(documentId)}/chat/stream`, {
    method: 'POST',
    credentials: 'include',
    headers: { ...authorization, 'Content-Type': 'application/json', Accept: 'text/event-stream' },
    body: JSON.stringify({ message }),
    signal,
  });
  if (response.status === 401) throw new UnauthorizedError('Unauthorized');
  if (!response.ok || !response.body) {
    const data: unknown = await response.json().catch(() => null);
    throw new ApiError(response.status, messageOf(data, response.status));
  }
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  let messageId: string | null = null;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value.replace(/\r\n?/g, '\n');
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const event = parseEvent(block);
      if (event.name === 'delta') onDelta((JSON.parse(event.data) as { content: string }).content);
      else if (event.name === 'done') messageId = (JSON.parse(event.data) as { messageId: string }).messageId;
      else if (event.name === 'error') throw new ApiError(0, (JSON.parse(event.data) as { message: string }).message);
    }
  }
  if (messageId === null) throw new ApiError(0, 'The answer stopped before it was complete');
  return messageId;
}

function parseEvent(block: string): { name: string; data: string } {
  let name = 'message';
  const data: string[] = [];
  for (const line of block.split('\n')) {
    if (line.startsWith('event:')) name = line.slice(6).trim();
    else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
  }
  return { name, data: data.join('\n') };
}
