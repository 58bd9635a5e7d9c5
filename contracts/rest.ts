/** The REST contract: what clients send and what the API answers. */
export * from './rest-requests';
export * from './rest-responses';
export * from './rest-sagas';
export * from './probes';
