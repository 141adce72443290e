/**
 * Small HTTP helpers for tests: send form, JSON, multipart or raw bodies and read
 * `{status, headers, text, json}`. Every call is bounded by a timeout (default 10 s).
 */

/** An answer, with the body as text and as parsed JSON (undefined when not JSON). */
export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  body: Buffer;
  json: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- tests index into it freely
}

export interface SendOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer | FormData | URLSearchParams;
  timeoutMs?: number;
}

/** Sends one request and reads the whole answer. */
export async function send(url: string, options: SendOptions = {}): Promise<Answer> {
  const response = await fetch(url, {
    method: options.method ?? 'GET',
    headers: options.headers ?? {},
    body: options.body ?? null,
    signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
  } as RequestInit);
  const body = Buffer.from(await response.arrayBuffer());
  const text = body.toString('utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, body, json };
}

type FieldValues = Record<string, string | number | boolean>;

/** application/x-www-form-urlencoded, like Python `requests` with `data=`. */
export function postForm(url: string, fields: FieldValues, options: SendOptions = {}): Promise<Answer> {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(fields)) params.append(name, String(value));
  return send(url, {
    method: 'POST',
    ...options,
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...options.headers },
    body: params.toString(),
  });
}

/** A JSON body (any JSON value). */
export function postJson(url: string, value: unknown, options: SendOptions = {}): Promise<Answer> {
  return send(url, {
    method: 'POST',
    ...options,
    headers: { 'content-type': 'application/json', ...options.headers },
    body: JSON.stringify(value),
  });
}

/** multipart/form-data with one field per entry. */
export function postMultipart(url: string, fields: FieldValues, options: SendOptions = {}): Promise<Answer> {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, String(value));
  return send(url, { method: 'POST', ...options, body: form });
}

/** The three encodings that every legacy endpoint accepts, by name. */
export const encodings = {
  form: postForm,
  json: postJson,
  multipart: postMultipart,
} as const;

/** Polls `check` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function pollUntil<T>(check: () => Promise<T | undefined>, timeoutMs = 10_000, everyMs = 25): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
