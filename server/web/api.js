// The API client: JSON requests with the bearer token, and the chat stream
// read with fetch and a ReadableStream (EventSource cannot send headers).

const config = window.__INSIGHT_GARDEN__;

export class UnauthorizedError extends Error {}

function headers(token, extra = {}) {
  const result = { ...extra };
  if (token) result.Authorization = `Bearer ${token}`;
  if (config.faults.includes("web-extra-header")) result["X-Client"] = "insight-garden-web";
  return result;
}

export async function request(path, { method = "GET", body, token } = {}) {
  const response = await fetch(`${config.apiUrl}${path}`, {
    method,
    credentials: "include",
    headers: headers(token, body === undefined ? {} : { "Content-Type": "application/json" }),
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = await response.json().catch(() => null);
  if (response.status === 401) throw new UnauthorizedError(data?.message ?? "Unauthorized");
  if (!response.ok) {
    const message = Array.isArray(data?.message) ? data.message.join(", ") : data?.message;
    throw new Error(message ?? `Request failed with ${response.status}`);
  }
  return data;
}

// Streams the answer to `message`, calling onDelta with each piece of text.
export async function streamChat(documentId, message, token, onDelta) {
  const withHeader = !config.faults.includes("stream-without-auth-header");
  const response = await fetch(`${config.apiUrl}/documents/${documentId}/chat/stream`, {
    method: "POST",
    credentials: "include",
    headers: headers(withHeader ? token : null, { "Content-Type": "application/json", Accept: "text/event-stream" }),
    body: JSON.stringify({ message }),
  });
  if (response.status === 401) throw new UnauthorizedError("Unauthorized");
  if (!response.ok || !response.body) throw new Error(`The stream failed with ${response.status}`);
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const event = parseEvent(block);
      if (event.name === "delta") onDelta(JSON.parse(event.data).content);
      if (event.name === "error") throw new Error(JSON.parse(event.data).message);
      if (event.name === "done") return;
    }
  }
}

function parseEvent(block) {
  let name = "message";
  const data = [];
  for (const line of block.split("\n")) {
    if (line.startsWith("event:")) name = line.slice(6).trim();
    else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
  }
  return { name, data: data.join("\n") };
}
