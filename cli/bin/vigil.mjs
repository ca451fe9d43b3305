#!/usr/bin/env node
// Vigil's sources are TypeScript that Node runs directly (type stripping, Node >= 22.18).
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 18) || !process.features?.typescript) {
  console.error(
    `vigil: Node ${process.versions.node} is too old; Vigil needs Node 22.18 or newer (24 LTS recommended). ` +
      'Start it with "npx vigil": after "npm ci", npx runs it under the Node 24 that npm ci installed on Linux x64. ' +
      'Elsewhere, install Node 24.',
  );
  process.exit(1);
}
await import('../src/main.ts');
