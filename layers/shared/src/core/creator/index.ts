export * from './coin-launch.ts';
export * from './engagement-score.ts';
export * from './metrics-fingerprint.ts';
export * from './milestones.ts';
export * from './revenue.ts';
export * from './seeded-random.ts';
export * from './sync-health.ts';
