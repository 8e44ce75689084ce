/**
 * RFC 9457 problem details with the NGSI-LD error types (ETSI GS CIM 009, 5.5.2).
 * Every error answered by Escale goes through here.
 */
export const NGSI_ERRORS = {
  InvalidRequest: 400,
  BadRequestData: 400,
  AlreadyExists: 409,
  OperationNotSupported: 422,
  ResourceNotFound: 404,
  InternalError: 500,
  TooComplexQuery: 403,
  TooManyResults: 403,
  LdContextNotAvailable: 503,
  NoMultiTenantSupport: 501,
  NonexistentTenant: 404,
  NotAcceptable: 406,
  UnsupportedMediaType: 415,
  PayloadTooLarge: 413,
  Unauthorized: 401,
  Forbidden: 403,
  TooManyRequests: 429,
} as const;

export type ErrorType = keyof typeof NGSI_ERRORS;

const NGSI_TYPE_BASE = 'https://uri.etsi.org/ngsi-ld/errors/';

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  [extension: string]: unknown;
}

export class ProblemError extends Error {
  readonly errorType: ErrorType;
  readonly status: number;
  readonly extensions: Record<string, unknown>;
  constructor(errorType: ErrorType, detail: string, extensions: Record<string, unknown> = {}) {
    super(detail);
    this.errorType = errorType;
    this.status = NGSI_ERRORS[errorType];
    this.extensions = extensions;
  }
  toBody(instance?: string): ProblemBody {
    return problemBody(this.errorType, this.message, instance, this.extensions);
  }
}

export function problemBody(
  errorType: ErrorType,
  detail: string,
  instance?: string,
  extensions: Record<string, unknown> = {},
): ProblemBody {
  return {
    type: NGSI_TYPE_BASE + errorType,
    title: TITLES[errorType],
    status: NGSI_ERRORS[errorType],
    detail,
    ...(instance ? { instance } : {}),
    ...extensions,
  };
}

const TITLES: Record<ErrorType, string> = {
  InvalidRequest: 'Invalid request',
  BadRequestData: 'Bad request data',
  AlreadyExists: 'Already exists',
  OperationNotSupported: 'Operation not supported',
  ResourceNotFound: 'Resource not found',
  InternalError: 'Internal error',
  TooComplexQuery: 'Too complex query',
  TooManyResults: 'Too many results',
  LdContextNotAvailable: 'LD context not available',
  NoMultiTenantSupport: 'No multi-tenant support',
  NonexistentTenant: 'Nonexistent tenant',
  NotAcceptable: 'Not acceptable',
  UnsupportedMediaType: 'Unsupported media type',
  PayloadTooLarge: 'Payload too large',
  Unauthorized: 'Unauthorized',
  Forbidden: 'Forbidden',
  TooManyRequests: 'Too many requests',
};

export const badRequest = (detail: string, ext?: Record<string, unknown>) =>
  new ProblemError('BadRequestData', detail, ext);
export const invalidRequest = (detail: string, ext?: Record<string, unknown>) =>
  new ProblemError('InvalidRequest', detail, ext);
export const notFound = (detail: string) => new ProblemError('ResourceNotFound', detail);
