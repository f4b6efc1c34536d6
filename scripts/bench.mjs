// `npm run bench`: the side-by-side benchmark against pm2 and supervisord (bench/run.mjs, bench/README.md).
import '../bench/run.mjs';
