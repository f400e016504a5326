// Started by s3rver.ts as `node --openssl-legacy-provider s3rver-child.cjs <dir> <bucket>`: s3rver on
// 127.0.0.1, a free port, one bucket. Prints {"port":N} on stdout when ready; stops on SIGTERM.
const S3rver = require('s3rver');
const [dir, bucket] = process.argv.slice(2);
const port = Number(process.argv[4] || 0);
const server = new S3rver({ address: '127.0.0.1', port, silent: true, directory: dir, configureBuckets: [{ name: bucket }] });
server.run().then(
  (addr) => process.stdout.write(JSON.stringify({ port: addr.port }) + '\n'),
  (err) => {
    process.stderr.write(String(err && err.stack) + '\n');
    process.exit(1);
  },
);
process.on('SIGTERM', () => server.close().then(() => process.exit(0)));
