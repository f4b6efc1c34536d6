// The portable path, tested: with TEND_NO_NATIVE=1 the daemon and CLI run without the native helper
// (libuv forks every child, exits come by SIGCHLD, an adopted program's end by FIFO end-of-file and
// a 1 s check, no cgroups, no subreaper), and the lifecycle and adoption suites must pass as they are.
// Every CLI this process runs inherits the variable, and so does the daemon it starts.
process.env.TEND_NO_NATIVE = '1';
await import('./lifecycle.test.js');
await import('./adoption.test.js');
