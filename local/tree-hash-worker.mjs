// A worker thread of local/tree-hash-pool.ts: hashes trees with hashTree
// (layers/shared/src/services/attention/tree-hashing.ts). Worker threads do not inherit the TypeScript
// loader of the process that starts them, so this plain module registers tsx first.
import { parentPort } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { hashTree } = await import('../layers/shared/src/services/attention/tree-hashing.ts');

parentPort.on('message', ({ id, job }) => {
  try {
    parentPort.postMessage({ id, result: hashTree(job) });
  } catch (error) {
    parentPort.postMessage({
      id,
      error: { name: error?.name ?? 'Error', message: String(error?.message ?? error) },
    });
  }
});
