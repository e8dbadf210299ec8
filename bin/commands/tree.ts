/**
 * `oracle tree build` builds a claim tree from a JSON file of rows
 * `{ claimer (base58), index, amount (decimal string), id }` and prints
 * `{ format, root, leaves: [{ index, leaf, proof }] }`, hashes as 0x-prefixed lowercase hex;
 * `--out` also writes the tree's dump. `oracle tree verify` exits 0 when the proof connects
 * the leaf (given as its hash, or as claim fields) to the root, 1 when it does not, 2 on bad usage.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import {
  ClaimTree,
  claimFromRow,
  fromBase58,
  fromHex,
  isLeafFormat,
  LEAF_FORMATS,
  LeafEncoder,
  type LeafOptions,
  toHex,
  verifyProof,
} from '../../layers/shared/src/core/merkle/index.ts';
import { ValidationError } from '../../layers/shared/src/errors.ts';

export const summary = 'build a claim merkle tree from a JSON file, or verify a proof';

const USAGE = `usage:
  oracle tree build --format claim-v1|claim-v2 --input leaves.json [--out dump.json]
                    [--program-id <base58> --epoch <n>]          (claim-v2 only)
  oracle tree verify --root <hex> --leaf <hex> [--proof <hex> ...] [--format claim-v1|claim-v2]
  oracle tree verify --root <hex> --claimer <base58> --index <n> --amount <n> --id <id>
                     [--proof <hex> ...] [--format claim-v1|claim-v2] [--program-id <base58> --epoch <n>]

input rows: [{ "claimer": "<base58>", "index": 0, "amount": "1000", "id": "<user_hash>" }, ...]
hashes are printed as 0x-prefixed lowercase hex; input accepts them with or without 0x.
--proof takes one or more hashes: repeated, comma-separated, or as trailing arguments.
`;

/** A mistake in how the command was called: exit code 2. */
class UsageError extends ValidationError {}

export async function run(argv: string[]): Promise<number> {
  const [subcommand, ...rest] = argv;
  try {
    switch (subcommand) {
      case 'build':
        return await build(rest);
      case 'verify':
        return verify(rest);
      case 'help':
      case '--help':
      case '-h':
        process.stdout.write(USAGE);
        return 0;
      default:
        throw new UsageError(
          subcommand === undefined ? 'missing subcommand' : `unknown subcommand '${subcommand}'`,
        );
    }
  } catch (error) {
    if (error instanceof ValidationError || isParseArgsError(error)) {
      process.stderr.write(`oracle tree: ${(error as Error).message}\n\n${USAGE}`);
      return 2;
    }
    throw error;
  }
}

async function build(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      format: { type: 'string' },
      input: { type: 'string' },
      out: { type: 'string' },
      'program-id': { type: 'string' },
      epoch: { type: 'string' },
    },
    strict: true,
  });
  if (values.input === undefined) throw new UsageError('--input is required');
  const options = leafOptions(values.format, values['program-id'], values.epoch, true);
  const rows = await readRows(values.input);
  const tree = ClaimTree.build(
    rows.map((row, i) => claimFromRow(row, `${values.input}[${i}]`)),
    options,
  );
  const leaves = [];
  for (let position = 0; position < tree.size; position++) {
    leaves.push({
      index: tree.claim(position).index,
      leaf: toHex(tree.leafHash(position)),
      proof: tree.proof(position).map(toHex),
    });
  }
  if (values.out !== undefined) await writeFile(values.out, `${JSON.stringify(tree.dump(), null, 2)}\n`);
  process.stdout.write(
    `${JSON.stringify({ format: tree.format, root: toHex(tree.root), leaves }, null, 2)}\n`,
  );
  return 0;
}

function verify(argv: string[]): number {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      format: { type: 'string' },
      root: { type: 'string' },
      leaf: { type: 'string' },
      proof: { type: 'string', multiple: true },
      claimer: { type: 'string' },
      index: { type: 'string' },
      amount: { type: 'string' },
      id: { type: 'string' },
      'program-id': { type: 'string' },
      epoch: { type: 'string' },
    },
    allowPositionals: true,
    strict: true,
  });
  if (values.root === undefined) throw new UsageError('--root is required');
  const root = fromHex(values.root, '--root', 32);
  const proof = [...(values.proof ?? []), ...positionals]
    .flatMap((item) => item.split(','))
    .filter((item) => item.trim() !== '')
    .map((item, i) => fromHex(item.trim(), `--proof[${i}]`, 32));
  const claimFields = [values.claimer, values.index, values.amount, values.id];
  let leaf: Uint8Array;
  let options: LeafOptions;
  if (values.leaf !== undefined) {
    if (claimFields.some((field) => field !== undefined)) {
      throw new UsageError(
        'give either --leaf or the claim fields (--claimer --index --amount --id), not both',
      );
    }
    if (values['program-id'] !== undefined || values.epoch !== undefined) {
      throw new UsageError('--program-id and --epoch go with the claim fields, not with --leaf');
    }
    // Only the node hash matters for a leaf given as a hash.
    options = leafOptions(values.format, undefined, undefined, false);
    leaf = fromHex(values.leaf, '--leaf', 32);
  } else {
    if (claimFields.some((field) => field === undefined)) {
      throw new UsageError('--leaf, or all of --claimer --index --amount --id, is required');
    }
    if (!/^[0-9]+$/.test(values.index!)) throw new UsageError('--index must be a non-negative integer');
    options = leafOptions(values.format, values['program-id'], values.epoch, true);
    const claim = claimFromRow(
      { claimer: values.claimer, index: Number(values.index), amount: values.amount, id: values.id },
      'claim',
    );
    leaf = new LeafEncoder(options).leafHash(claim);
  }
  const valid = verifyProof(root, leaf, proof, options.format);
  process.stdout.write(valid ? 'valid\n' : 'invalid\n');
  return valid ? 0 : 1;
}

/** The leaf options; a claim-v2 leaf needs its program id and epoch, a node hash alone does not. */
function leafOptions(
  format: string | undefined,
  programId: string | undefined,
  epoch: string | undefined,
  forLeaf: boolean,
): LeafOptions {
  const chosen = format ?? 'claim-v1';
  if (!isLeafFormat(chosen)) throw new UsageError(`--format must be one of ${LEAF_FORMATS.join(', ')}`);
  if (chosen === 'claim-v1') {
    if (programId !== undefined || epoch !== undefined) {
      throw new UsageError('--program-id and --epoch apply to --format claim-v2 only');
    }
    return { format: 'claim-v1' };
  }
  if (!forLeaf) return { format: 'claim-v2', programId: new Uint8Array(32), epoch: 0 };
  if (programId === undefined || epoch === undefined) {
    throw new UsageError('--format claim-v2 needs --program-id and --epoch');
  }
  if (!/^[0-9]+$/.test(epoch)) throw new UsageError('--epoch must be a non-negative integer');
  return { format: 'claim-v2', programId: fromBase58(programId, '--program-id'), epoch: BigInt(epoch) };
}

async function readRows(path: string): Promise<unknown[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read --input ${path}: ${(error as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`--input ${path} is not JSON: ${(error as Error).message}`);
  }
  const rows = Array.isArray(parsed) ? parsed : (parsed as { claims?: unknown } | null)?.claims;
  if (!Array.isArray(rows)) {
    throw new UsageError(`--input ${path} must hold an array of rows (or { "claims": [...] })`);
  }
  return rows;
}

function isParseArgsError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS');
}
