export * from './errors.ts';
export * from './directory.ts';
export * from './health.ts';
export * from './claims.ts';
export * from './notifications.ts';
export * from './calls.ts';
export * from './sessions.ts';
