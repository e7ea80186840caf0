import { describe, expect, it } from 'vitest';
import { fakeApi, makeSession, problem } from '../test/fakeApi';
import { api, ApiError, getCsrfToken, parseProblem, unwrap } from './client';

describe('parseProblem', () => {
  it('reads an RFC 9457 problem with field errors', () => {
    const err = parseProblem(400, {
      type: 'about:blank',
      title: 'Invalid request',
      status: 400,
      detail: 'Some fields are invalid.',
      code: 'validation_failed',
      errors: [
        { field: 'email', message: 'must be an email address' },
        { field: 'roles', message: 'choose at least one role' },
        { field: 'email', message: 'a second message is dropped' },
      ],
    });
    expect(err).toBeInstanceOf(ApiError);
    expect(err.status).toBe(400);
    expect(err.code).toBe('validation_failed');
    expect(err.title).toBe('Invalid request');
    expect(err.detail).toBe('Some fields are invalid.');
    expect(err.fieldErrors).toEqual({ email: 'must be an email address', roles: 'choose at least one role' });
    expect(err.message).toBe('Some fields are invalid.');
  });

  it('survives a body that is not a problem (e.g. a proxy error page)', () => {
    const err = parseProblem(502, undefined);
    expect(err.status).toBe(502);
    expect(err.code).toBe('http_502');
    expect(err.title).toBe('Request failed (502)');
    expect(err.fieldErrors).toEqual({});
  });
});

describe('api client', () => {
  it('sends the session CSRF token on writes but not on reads', async () => {
    const api$ = fakeApi({
      'GET /session': () => makeSession({ csrf_token: 'tok-1' }),
      'GET /members': () => ({ members: [] }),
      'PATCH /members/m1': () => ({}),
      'DELETE /invites/i1': () => undefined,
    });
    await unwrap(api.GET('/session'));
    expect(getCsrfToken()).toBe('tok-1');

    await unwrap(api.GET('/members'));
    await unwrap(api.PATCH('/members/{memberId}', { params: { path: { memberId: 'm1' } }, body: { status: 'disabled' } }));
    await unwrap(api.DELETE('/invites/{inviteId}', { params: { path: { inviteId: 'i1' } } }));

    expect(api$.calls('GET /session')[0].headers.get('X-CSRF-Token')).toBeNull();
    expect(api$.calls('GET /members')[0].headers.get('X-CSRF-Token')).toBeNull();
    expect(api$.calls('PATCH /members/m1')[0].headers.get('X-CSRF-Token')).toBe('tok-1');
    expect(api$.calls('DELETE /invites/i1')[0].headers.get('X-CSRF-Token')).toBe('tok-1');
  });

  it('takes the new token from a tenant switch and forgets it on logout', async () => {
    fakeApi({
      'PUT /session/tenant': () => makeSession({ csrf_token: 'tok-2' }),
      'POST /auth/logout': () => undefined,
    });
    await unwrap(api.PUT('/session/tenant', { body: { tenant: 'beta' } }));
    expect(getCsrfToken()).toBe('tok-2');
    await unwrap(api.POST('/auth/logout'));
    expect(getCsrfToken()).toBe('');
  });

  it('throws problem+json answers as ApiError with field errors', async () => {
    fakeApi({
      'POST /invites': () =>
        problem(409, { code: 'already_member', title: 'Conflict', detail: 'Already a member.', errors: [{ field: 'email', message: 'taken' }] }),
    });
    const err = await unwrap(api.POST('/invites', { body: { email: 'a@b.c', roles: ['viewer'] } })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 409, code: 'already_member', detail: 'Already a member.', fieldErrors: { email: 'taken' } });
  });
});
