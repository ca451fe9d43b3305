// What the CLI prints: results on stdout, progress and errors on stderr, one line each.

export function info(message: string): void {
  process.stderr.write(`${message}\n`);
}

export function result(message: string): void {
  process.stdout.write(`${message}\n`);
}

export function fail(message: string, code = 1): never {
  process.stderr.write(`vigil: ${message}\n`);
  process.exit(code);
}
