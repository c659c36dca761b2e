// s3rver for tests and the bench: a temporary folder and one bucket (local/s3-server.ts).

export { type LocalS3, startLocalS3 as startS3 } from '../../local/s3-server';
