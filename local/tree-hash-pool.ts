/**
 * Tree hashing on worker threads, for the one-machine runtime and the benchmarks: the sealing
 * run's thread reads and writes batches of trees while workers hash them and write their dumps
 * (services/attention/tree-hashing.ts). On AWS the seal Lambda hashes on its own thread (its default
 * memory buys a fraction of one vCPU, so a worker would only compete with it).
 *
 * A job goes to the worker with the fewest in flight; its leaf arrays are transferred, not
 * copied, and so is the dump a worker sends back (as UTF-8 bytes, made text parts here). A worker that dies fails its jobs in flight, and the pool hashes on this thread from
 * then on, saying so once in the log.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import {
  dumpTextParts,
  hashTree,
  type TreeHashBytes,
  type TreeHasher,
  type TreeHashJob,
  type TreeHashResult,
} from '../layers/shared/src/services/attention/tree-hashing.ts';

interface Pending {
  readonly resolve: (result: TreeHashResult) => void;
  readonly reject: (error: Error) => void;
}

interface Slot {
  readonly worker: Worker;
  readonly pending: Map<number, Pending>;
}

type Reply =
  | { readonly id: number; readonly result: TreeHashBytes }
  | { readonly id: number; readonly error: { readonly name: string; readonly message: string } };

export class WorkerTreeHasher implements TreeHasher {
  #slots: Slot[] = [];
  #nextId = 0;
  #broken = false;

  /** Starts `size` workers (one fewer than the machine's cores, at least one). */
  static start(size = Math.max(1, availableParallelism() - 1)): WorkerTreeHasher {
    const pool = new WorkerTreeHasher();
    for (let i = 0; i < size; i++) pool.#slots.push(pool.#spawn());
    return pool;
  }

  hash(job: TreeHashJob): Promise<TreeHashResult> {
    const slot = this.#broken ? undefined : this.#leastBusy();
    if (slot === undefined) return new Promise((resolve) => resolve(hashTree(job)));
    const id = this.#nextId++;
    return new Promise<TreeHashResult>((resolve, reject) => {
      slot.pending.set(id, { resolve, reject });
      slot.worker.ref();
      slot.worker.postMessage({ id, job }, [job.claimers.buffer, job.amounts.buffer]);
    });
  }

  /** Stops the workers; jobs still in flight fail, later ones are hashed on this thread. */
  async close(): Promise<void> {
    const slots = this.#slots;
    this.#slots = [];
    for (const slot of slots) {
      for (const pending of slot.pending.values())
        pending.reject(new Error('the tree hashing pool was closed'));
      slot.pending.clear();
    }
    await Promise.all(slots.map((slot) => slot.worker.terminate()));
  }

  #leastBusy(): Slot | undefined {
    let best: Slot | undefined;
    for (const slot of this.#slots)
      if (best === undefined || slot.pending.size < best.pending.size) best = slot;
    return best;
  }

  #spawn(): Slot {
    const worker = new Worker(new URL('./tree-hash-worker.mjs', import.meta.url));
    const slot: Slot = { worker, pending: new Map() };
    worker.unref();
    worker.on('message', (reply: Reply) => {
      const pending = slot.pending.get(reply.id);
      if (pending === undefined) return;
      slot.pending.delete(reply.id);
      if (slot.pending.size === 0) worker.unref();
      if ('result' in reply) pending.resolve(dumpText(reply.result));
      else pending.reject(Object.assign(new Error(reply.error.message), { name: reply.error.name }));
    });
    const fail = (error: Error) => {
      if (!this.#slots.includes(slot)) return;
      this.#slots = this.#slots.filter((s) => s !== slot);
      if (!this.#broken) {
        this.#broken = true;
        // Imported here, not at the top: the logger takes its level from the environment when
        // first loaded, and the local runtime sets LOG_LEVEL after it has loaded this module.
        void import('../layers/shared/src/observability.ts').then(({ logger }) =>
          logger.warn('a tree hashing worker stopped; trees are hashed on the main thread from now on', {
            error: error.message,
          }),
        );
      }
      for (const pending of slot.pending.values()) pending.reject(error);
      slot.pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`tree hashing worker exited with code ${code}`)));
    return slot;
  }
}

/** A worker's answer with its dump as text parts, as the tree storage writes it. */
function dumpText({ root, dump, ms }: TreeHashBytes): TreeHashResult {
  return { root, dump: dumpTextParts(dump), ms };
}
