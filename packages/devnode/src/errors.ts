/**
 * Errors the devnode raises internally. Each carries the HTTP status and a stable `code`, so the
 * HTTP layer maps them to responses without matching on message text.
 */
export class DevnodeError extends Error {
  override name = 'DevnodeError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    options: { cause?: unknown } = {},
  ) {
    super(message, options);
  }
}

/** 400: the request is malformed (bad JSON, bad base64url, bad key, out-of-range number...). */
export const badRequest = (message: string, cause?: unknown) => new DevnodeError(400, 'BAD_REQUEST', message, { cause });
/** 401: missing or unknown auth token. */
export const unauthorized = (message: string) => new DevnodeError(401, 'AUTH_FAILED', message);
/** 404 */
export const notFound = (message: string) => new DevnodeError(404, 'NOT_FOUND', message);
/** 413: body larger than the configured limit. */
export const tooLarge = (message: string) => new DevnodeError(413, 'TOO_LARGE', message);
/** 415: the body is not of the content type this route reads. */
export const unsupportedMediaType = (message: string) => new DevnodeError(415, 'UNSUPPORTED_MEDIA_TYPE', message);
