// A worker that crashes now and then, to watch tend restart it:
// `npx tend start --name worker -- node examples/flaky-worker.mjs`, then `npx tend events worker`.
let jobs = 0;

const timer = setInterval(() => {
  jobs += 1;
  console.log(`job ${jobs} done`);
  if (Math.random() < 0.1) {
    console.error(`job ${jobs + 1} failed: simulated crash`);
    process.exit(1);
  }
}, 500);

process.on('SIGTERM', () => {
  clearInterval(timer);
  console.log(`stopping after ${jobs} jobs`);
});
