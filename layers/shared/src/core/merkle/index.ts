export * from './claim-leaf.ts';
export * from './claim-tree.ts';
export * from './encoding.ts';
export { keccak256 } from './keccak.ts';
export * from './merkle-tree.ts';
