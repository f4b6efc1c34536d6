#!/usr/bin/env node
// Until something listens for SIGUSR1, Node opens its inspector (127.0.0.1:9229, no authentication)
// on it: listen before anything else loads. docs/security.md.
process.on('SIGUSR1', () => {});
await import('../dist/cli.js');
