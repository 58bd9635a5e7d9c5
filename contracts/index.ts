export * from './card';
export * from './envelope';
export * from './messages';
export * from './reasons';
export * from './services';
export * as rest from './rest';
export * from './card-token';
