// `npm run bench`: the side-by-side benchmark against pm2, supervisord and s6 (bench/run.mjs, bench/README.md).
import '../bench/run.mjs';
