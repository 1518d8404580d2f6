/** Every API error is `{"detail": str, "code": str}` (plus `errors` per field on a 400). */

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly detail: string;
  readonly data: Record<string, unknown>;

  constructor(status: number, code: string, detail: string, data: Record<string, unknown> = {}) {
    super(detail);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.detail = detail;
    this.data = data;
  }

  /** Messages per form field, from a validation error's `errors`. */
  fieldErrors(): Record<string, string> {
    const errors = this.data.errors;
    const result: Record<string, string> = {};
    if (errors && typeof errors === "object" && !Array.isArray(errors)) {
      for (const [field, value] of Object.entries(errors as Record<string, unknown>)) {
        const first = Array.isArray(value) ? value[0] : value;
        if (typeof first === "string") result[field] = first;
      }
    }
    return result;
  }
}

const FALLBACK_WORDS: Record<number, string> = {
  0: "We could not reach the box office. Check your connection and try again.",
  401: "Please sign in again.",
  403: "You are not allowed to do that.",
  404: "We could not find that.",
  409: "That changed while you were looking. Please try again.",
  429: "Too many tries in a short time. Please wait a moment and try again.",
  500: "Something went wrong on our side. Please try again in a moment.",
  502: "The payment provider did not answer. Please try again in a moment.",
  503: "The box office is busy. Please try again in a moment.",
};

/** Words for a customer, never a stack trace: the server's reason when it gave one. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.detail && error.status < 500) return error.detail;
    return FALLBACK_WORDS[error.status] ?? FALLBACK_WORDS[error.status >= 500 ? 500 : 0];
  }
  return FALLBACK_WORDS[500];
}

/** Builds an ApiError from a response whose body may be JSON, HTML or nothing. */
export async function errorFrom(response: Response): Promise<ApiError> {
  let data: Record<string, unknown> = {};
  try {
    const text = await response.text();
    const parsed: unknown = text ? JSON.parse(text) : {};
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) {
      data = parsed as Record<string, unknown>;
    }
  } catch {
    // Not JSON (a proxy's HTML page): the status alone has to do.
  }
  const code = typeof data.code === "string" ? data.code : `http_${response.status}`;
  const detail =
    typeof data.detail === "string"
      ? data.detail
      : (FALLBACK_WORDS[response.status] ?? FALLBACK_WORDS[500]);
  return new ApiError(response.status, code, detail, data);
}
