import { z } from 'zod';
import {
  IdParam,
  LoginBody,
  LoginResponse,
  pageOf,
  RegisterBody,
  UpdateUserBody,
  User,
  UsersQuery,
} from '../../contracts/rest';
import { defineRoute, errors, json, jsonBody } from '../../http/openapi';

const tags = ['users'];

const tooManyRequests = {
  ...errors(429)[429],
  headers: z.object({ 'Retry-After': z.string().meta({ description: 'seconds to wait' }) }),
};

export const register = defineRoute('anyone', {
  operationId: 'register',
  method: 'post',
  path: '/auth/register',
  tags,
  summary: 'Register a customer account',
  description: 'Registrations are limited per client address.',
  request: { body: jsonBody(RegisterBody) },
  responses: { 201: json(User, 'the new customer'), ...errors(400, 409, 413, 415), 429: tooManyRequests },
});

export const login = defineRoute('anyone', {
  operationId: 'login',
  method: 'post',
  path: '/auth/login',
  tags,
  summary: 'Exchange an email and password for a Bearer token',
  description:
    'A wrong email and a wrong password answer alike. Failed attempts are limited per email and per client address.',
  request: { body: jsonBody(LoginBody) },
  responses: {
    200: json(LoginResponse, 'a token for the account'),
    ...errors(400, 401, 403, 413, 415),
    429: tooManyRequests,
  },
});

export const listUsers = defineRoute('signed-in', {
  operationId: 'listUsers',
  method: 'get',
  path: '/users',
  tags,
  summary: 'Users by id: all for an admin, only oneself for a customer; an admin may ask for one email',
  request: { query: UsersQuery },
  responses: { 200: json(pageOf(User, 'UserPage'), 'a page of users'), ...errors(400, 401, 403) },
});

export const getUser = defineRoute('signed-in', {
  operationId: 'getUser',
  method: 'get',
  path: '/users/{id}',
  tags,
  summary: 'One user (oneself, or anyone for an admin)',
  request: { params: IdParam },
  responses: { 200: json(User, 'the user'), ...errors(400, 401, 404) },
});

export const updateUser = defineRoute('signed-in', {
  operationId: 'updateUser',
  method: 'patch',
  path: '/users/{id}',
  tags,
  summary: 'Rename oneself; an admin may also (de)activate an account',
  request: { params: IdParam, body: jsonBody(UpdateUserBody) },
  responses: { 200: json(User, 'the updated user'), ...errors(400, 401, 403, 404, 409, 413, 415) },
});
