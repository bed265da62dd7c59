/**
 * An answer that is not data: the status, a stable code, and a message naming the parameter or the
 * thing refused. Every such answer is JSON, `{"error": {"code", "message", "parameter"?}}`.
 */
export class ApiError extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 406 | 409 | 414 | 503,
    readonly code: string,
    message: string,
    readonly parameter?: string,
  ) {
    super(message);
  }

  toJSON(): { error: { code: string; message: string; parameter?: string } } {
    return { error: { code: this.code, message: this.message, ...(this.parameter ? { parameter: this.parameter } : {}) } };
  }
}

export const badParameter = (parameter: string, message: string) => new ApiError(400, 'bad_parameter', `${parameter}: ${message}`, parameter);
