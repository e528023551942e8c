export * from './event-study';
