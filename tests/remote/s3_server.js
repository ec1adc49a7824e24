// Start s3rver (an S3-compatible server from npm) on loopback for the S3
// source tests: node s3_server.js DATA_DIR PORT_FILE BUCKET...
// The port is written to PORT_FILE once listening. Credentials: S3RVER/S3RVER.
'use strict';
const fs = require('fs');
const path = require('path');
const S3rver = require(path.join(__dirname, '..', 'tools', 'node_modules', 's3rver'));

const [dir, portFile, ...buckets] = process.argv.slice(2);
const server = new S3rver({
  address: '127.0.0.1',
  port: 0,
  silent: true,
  directory: dir,
  configureBuckets: buckets.map((name) => ({ name })),
});
server.run().then((addr) => {
  fs.writeFileSync(portFile + '.tmp', String(addr.port));
  fs.renameSync(portFile + '.tmp', portFile);
}, (err) => {
  console.error(err);
  process.exit(1);
});
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => server.close(() => process.exit(0)));
