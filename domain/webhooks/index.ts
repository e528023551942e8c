export * from './signing';
export * from './policy';
