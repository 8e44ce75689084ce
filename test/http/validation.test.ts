// Request validation: text parts (query string, path, headers) are coerced to the schema's types; JSON bodies
// are taken as they are, so a null stays null and a number sent as a string is refused.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Type } from '@sinclair/typebox';
import type { FastifyRouteSchemaDef } from 'fastify/types/schema.js';
import { validatorCompiler } from '../../src/app.js';

const schema = Type.Object({
  capacity: Type.Union([Type.Integer(), Type.Null()]),
  tags: Type.Optional(Type.Array(Type.String())),
});
const compile = validatorCompiler();
const validate = (httpPart: string, data: Record<string, unknown>) => {
  const fn = compile({ schema, httpPart, method: 'POST', url: '/x' } as FastifyRouteSchemaDef<unknown>) as (
    d: unknown,
  ) => boolean;
  const copy = structuredClone(data);
  return { ok: fn(copy), data: copy };
};

describe('request validation', () => {
  it('keeps a null in a JSON body null (it was taken as 0 when bodies were coerced)', () => {
    const r = validate('body', { capacity: null });
    assert.equal(r.ok, true);
    assert.deepEqual(r.data, { capacity: null });
  });

  it('refuses a number sent as a string in a JSON body', () => {
    assert.equal(validate('body', { capacity: '12' }).ok, false);
    assert.equal(validate('body', { capacity: 12, tags: 'one' }).ok, false);
  });

  it('coerces query strings: a number, and a single value to an array', () => {
    const r = validate('querystring', { capacity: '12', tags: 'one' });
    assert.equal(r.ok, true);
    assert.deepEqual(r.data, { capacity: 12, tags: ['one'] });
    assert.equal(validate('querystring', { capacity: 'twelve' }).ok, false);
  });
});
