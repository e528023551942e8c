/** Operator pages (admin keys only): feeds, feature flags, API keys and users; one module each in ./operator/. */
export { AdminOnly } from './operator/AdminOnly';
export { Feeds } from './operator/Feeds';
export { Flags } from './operator/Flags';
export { Access } from './operator/Access';
