// The one door to the server: same-origin fetch with the session cookie, the CSRF token on unsafe methods,
// errors as ApiError values, and a 401 anywhere sending the user back to the login page.

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: { path: string; message: string }[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

let csrfToken: string | null = null;
let onUnauthorized: () => void = () => {};

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

// The account this page shows: sent with every request so that, once the session switched account in another tab,
// the server refuses (409) instead of answering with the other account's data under this page's header.
let accountId: string | null = null;
export function setAccountId(id: string | null): void {
  accountId = id;
}

/** Called once by the session provider: what to do when the server says the session is gone. */
export function setUnauthorizedHandler(handler: () => void): void {
  onUnauthorized = handler;
}

export type Query = Record<string, string | number | null | undefined>;

/** Builds `path?query`, leaving out empty values so URLs stay short and shareable. */
export function withQuery(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v !== null && v !== undefined && v !== '') params.set(k, String(v));
  }
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

async function request<T>(method: string, path: string, body?: unknown, opts: { quiet401?: boolean } = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  if (accountId && !path.startsWith('/auth/')) headers['X-Mesure-Account'] = accountId;
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, 'network', 'network');
  }
  if (res.status === 401 && !opts.quiet401) onUnauthorized();
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let data: unknown = undefined;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = undefined;
    }
  }
  if (!res.ok) {
    const e = (data ?? {}) as { error?: string; message?: string; details?: { path: string; message: string }[] };
    throw new ApiError(res.status, e.error ?? `http_${res.status}`, e.message ?? res.statusText, e.details ?? []);
  }
  return data as T;
}

export const api = {
  get: <T>(path: string, query?: Query) => request<T>('GET', withQuery(path, query)),
  post: <T>(path: string, body?: unknown) => request<T>('POST', path, body ?? {}),
  put: <T>(path: string, body: unknown) => request<T>('PUT', path, body),
  patch: <T>(path: string, body: unknown) => request<T>('PATCH', path, body),
  delete: <T>(path: string) => request<T>('DELETE', path),
  /** Session calls: a 401 here is an answer (bad password, no session), not a reason to redirect. */
  session: <T>(method: 'GET' | 'POST', path: string, body?: unknown) =>
    request<T>(method, path, method === 'POST' ? (body ?? {}) : undefined, { quiet401: true }),
};
