export * from './alarm-set.ts';
export * from './node-function.ts';
export * from './schedule.ts';
export * from './work-queue.ts';
