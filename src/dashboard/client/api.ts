/**
 * The dashboard's only way to the manager: fetch on the same origin, the legacy envelope
 * unwrapped, every failure turned into an Error whose message is the one the user should read
 * (the envelope's message, or what went wrong on the way). Bounded by a timeout.
 */

const TIMEOUT_MS = 10_000;

/** The pool token, from `?token=` (kept for the tab) — sent as a Bearer header when present. */
function token(): string | null {
  const fromUrl = new URLSearchParams(location.search).get('token');
  if (fromUrl) sessionStorage.setItem('cachepool-token', fromUrl);
  return fromUrl ?? sessionStorage.getItem('cachepool-token');
}

/** Calls `method path` with an optional JSON body; resolves with the envelope's content. */
export async function call<T>(
  method: 'GET' | 'POST' | 'DELETE',
  path: string,
  body?: unknown,
): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  const bearer = token();
  if (bearer) headers.authorization = `Bearer ${bearer}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (error) {
    const reason =
      error instanceof Error && error.name === 'TimeoutError'
        ? 'timed out'
        : 'could not reach the manager';
    throw new Error(`${method} ${path}: ${reason}`);
  }
  let parsed: unknown;
  try {
    parsed = await response.json();
  } catch {
    throw new Error(`${method} ${path}: HTTP ${response.status}, not a JSON answer`);
  }
  const envelope = parsed as { success?: string; content?: unknown; error?: { message?: string } };
  if (envelope.success === 'true' && response.ok) return envelope.content as T;
  const message = envelope.error?.message ?? `HTTP ${response.status}`;
  throw new Error(message);
}
