export * from './attention.ts';
export * from './attention-recovery.ts';
export * from './attention-wallets.ts';
export * from './creator.ts';
export * from './delivery.ts';
export * from './market.ts';
export * from './market-users.ts';
