// A worker thread of local/tree-hash-pool.ts: hashes trees with hashTreeBytes
// (layers/shared/src/services/attention/tree-hashing.ts) and sends each dump's buffer back,
// transferred, not copied. Worker threads do not inherit the TypeScript
// loader of the process that starts them, so this plain module registers tsx first.
import { parentPort } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { hashTreeBytes } = await import('../layers/shared/src/services/attention/tree-hashing.ts');

parentPort.on('message', ({ id, job }) => {
  try {
    const result = hashTreeBytes(job);
    parentPort.postMessage({ id, result }, [result.dump.buffer]);
  } catch (error) {
    parentPort.postMessage({
      id,
      error: { name: error?.name ?? 'Error', message: String(error?.message ?? error) },
    });
  }
});
