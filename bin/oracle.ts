#!/usr/bin/env -S npx tsx
/**
 * The operator CLI. `oracle <command> [args]` runs `bin/commands/<command>.ts`, whose
 * `run(argv)` returns the exit code. `oracle help` lists the commands.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

interface Command {
  readonly summary: string;
  run(argv: string[]): Promise<number>;
}

const commandsDir = fileURLToPath(new URL('./commands/', import.meta.url));

function commandNames(): string[] {
  return readdirSync(commandsDir)
    .filter((file) => file.endsWith('.ts'))
    .map((file) => file.slice(0, -'.ts'.length))
    .sort();
}

async function loadCommand(name: string): Promise<Command | undefined> {
  if (!/^[a-z][a-z0-9-]*$/.test(name) || !commandNames().includes(name)) return undefined;
  return (await import(`./commands/${name}.ts`)) as Command;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    process.stdout.write('usage: oracle <command> [args]\n\ncommands:\n');
    for (const command of commandNames()) {
      const loaded = await loadCommand(command);
      process.stdout.write(`  ${command.padEnd(14)} ${loaded?.summary ?? ''}\n`);
    }
    return name === undefined ? 2 : 0;
  }
  // Commands other than `local` talk to a running `oracle local` unless the environment says otherwise.
  if (name !== 'local' && process.env['ORACLE_MODE'] !== 'production') {
    const { adoptRuntimeEnvironment } = await import('../local/state-file.ts');
    adoptRuntimeEnvironment();
  }
  const command = await loadCommand(name);
  if (command === undefined) {
    process.stderr.write(`oracle: unknown command '${name}' (try 'oracle help')\n`);
    return 2;
  }
  return command.run(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`oracle: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
