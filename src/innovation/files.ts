import { createHash } from 'node:crypto';
import { ProblemError } from '../http/problem.js';

/** Files stored by the hub (community resources, application attachments): types, size caps, content checks. */

export const FILE_TYPES = {
  'application/pdf': 'pdf',
  'image/png': 'png',
  'image/jpeg': 'jpeg',
  'text/csv': 'text',
  'text/plain': 'text',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'zip',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'zip',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation': 'zip',
  'application/vnd.oasis.opendocument.spreadsheet': 'zip',
  'application/vnd.oasis.opendocument.text': 'zip',
  'application/vnd.oasis.opendocument.presentation': 'zip',
} as const;
export type FileType = keyof typeof FILE_TYPES;
export const FILE_TYPE_NAMES = Object.keys(FILE_TYPES) as FileType[];
/** Upper bound of any stored file (the request body limit leaves room for base64). */
export const MAX_FILE_BYTES = 2 * 1024 * 1024;

const MAGIC: Record<string, number[]> = {
  pdf: [0x25, 0x50, 0x44, 0x46],
  png: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a],
  jpeg: [0xff, 0xd8, 0xff],
  zip: [0x50, 0x4b, 0x03, 0x04],
};

export interface FileUpload {
  filename: string;
  contentType: string;
  /** The file, base64. */
  data: string;
}

export interface StoredFile {
  filename: string;
  contentType: FileType;
  size: number;
  sha256: string;
  bytes: Buffer;
}

/** Decodes and checks a file: an accepted type, within the size cap, and content that matches its type. */
export function decodeFile(
  f: FileUpload,
  caps: { types?: readonly string[]; maxBytes?: number } = {},
): StoredFile {
  const types = caps.types?.length ? caps.types : FILE_TYPE_NAMES;
  if (!types.includes(f.contentType) || !(f.contentType in FILE_TYPES)) {
    throw new ProblemError('UnsupportedMediaType', `files may be ${types.join(', ')}`);
  }
  if (!/^[A-Za-z0-9+/=\s]*$/.test(f.data)) throw new ProblemError('BadRequestData', 'data must be base64');
  const bytes = Buffer.from(f.data, 'base64');
  if (bytes.length === 0) throw new ProblemError('BadRequestData', 'the file is empty');
  const max = Math.min(caps.maxBytes ?? MAX_FILE_BYTES, MAX_FILE_BYTES);
  if (bytes.length > max) throw new ProblemError('PayloadTooLarge', `files are limited to ${max} bytes`);
  const family = FILE_TYPES[f.contentType as FileType];
  const magic = MAGIC[family];
  const looksRight =
    family === 'text'
      ? !bytes.includes(0) && Buffer.from(bytes.toString('utf8'), 'utf8').equals(bytes)
      : magic.every((b, i) => bytes[i] === b);
  if (!looksRight) throw new ProblemError('BadRequestData', `the file does not look like ${f.contentType}`);
  return {
    filename: f.filename,
    contentType: f.contentType as FileType,
    size: bytes.length,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    bytes,
  };
}

/** A Content-Disposition header value for a download (RFC 6266, with an ASCII fallback). */
export function attachmentHeader(filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}
