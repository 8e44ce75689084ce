import type { FastifyError, FastifyInstance } from 'fastify';
import { type ErrorType, ProblemError, problemBody } from './problem.js';

/** Maps every error, Fastify's own included, to problem details; never leaks a stack trace. */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | ProblemError, req, reply) => {
    let type: ErrorType;
    let detail: string;
    let ext: Record<string, unknown> = {};
    if (err instanceof ProblemError) {
      type = err.errorType;
      detail = err.message;
      ext = err.extensions;
    } else if (err.validation) {
      type = 'BadRequestData';
      detail = `${err.validationContext ?? 'request'} ${err.message.replace(/^(body|querystring|params|headers)\s*/, '')}`;
      if (err.validationContext === 'querystring') type = 'BadRequestData';
    } else {
      switch (err.code) {
        case 'FST_ERR_CTP_INVALID_JSON_BODY':
        case 'FST_ERR_CTP_EMPTY_JSON_BODY':
          type = 'InvalidRequest';
          detail = `the body is not valid JSON: ${err.message}`;
          break;
        case 'FST_ERR_CTP_BODY_TOO_LARGE':
          type = 'PayloadTooLarge';
          detail = 'the request body is larger than this server accepts';
          break;
        case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
        case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
          type = 'UnsupportedMediaType';
          detail = `content type ${req.headers['content-type'] ?? '(none)'} is not supported here`;
          break;
        default:
          if (err instanceof SyntaxError) {
            type = 'InvalidRequest';
            detail = `the body is not valid JSON: ${err.message}`;
          } else if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) {
            type = err.statusCode === 429 ? 'TooManyRequests' : 'BadRequestData';
            detail = err.message;
          } else {
            type = 'InternalError';
            detail = 'an internal error occurred; it has been logged';
            req.log.error({ err }, 'unhandled error');
          }
      }
    }
    const body = problemBody(type, detail, undefined, ext);
    reply.status(body.status).type(problemMediaType(req.url)).send(body);
  });
  app.setNotFoundHandler((req, reply) => {
    const body = problemBody('ResourceNotFound', `no route ${req.method} ${req.url.split('?')[0]}`);
    reply.status(404).type(problemMediaType(req.url)).send(body);
  });
}

/**
 * NGSI-LD answers its errors as `application/json` (ETSI GS CIM 009, 6.3.6), which its clients expect; the
 * rest of the API uses RFC 9457's own media type.
 */
export function problemMediaType(url: string): string {
  return url.startsWith('/ngsi-ld/') ? 'application/json' : 'application/problem+json';
}
