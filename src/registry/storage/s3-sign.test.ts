import { test } from 'node:test';
import assert from 'node:assert/strict';
import { signRequest, presignUrl, uriEncode, EMPTY_SHA256 } from './s3-sign.ts';

// The examples of AWS's "Authenticating Requests: Using the Authorization Header (AWS Signature
// Version 4)" and "Query String Authentication" pages for S3, with their published signatures.
const creds = { accessKey: 'AKIAIOSFODNN7EXAMPLE', secretKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', region: 'us-east-1' };
const date = new Date('2013-05-24T00:00:00Z');

test('GET Object with a Range header signs as AWS documents', () => {
  const h = signRequest(creds, { method: 'GET', url: new URL('https://examplebucket.s3.amazonaws.com/test.txt'), headers: { Range: 'bytes=0-9' }, payloadHash: EMPTY_SHA256 }, date);
  assert.equal(
    h.authorization,
    'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41',
  );
  assert.equal(h['x-amz-date'], '20130524T000000Z');
  assert.equal(h.host, undefined, 'fetch sets Host itself');
});

test('GET Bucket (list objects) with a query signs as AWS documents', () => {
  const h = signRequest(creds, { method: 'GET', url: new URL('https://examplebucket.s3.amazonaws.com/?max-keys=2&prefix=J'), payloadHash: EMPTY_SHA256 }, date);
  assert.match(h.authorization!, /Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7$/);
});

test('a presigned GET URL signs as AWS documents', () => {
  const url = presignUrl(creds, 'GET', new URL('https://examplebucket.s3.amazonaws.com/test.txt'), 86400, date);
  assert.equal(
    url,
    'https://examplebucket.s3.amazonaws.com/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404',
  );
});

test('uriEncode keeps unreserved characters (and / in paths) and %-encodes the rest as UTF-8', () => {
  assert.equal(uriEncode('a-b_c.d~e/f g', true), 'a-b_c.d~e/f%20g');
  assert.equal(uriEncode('a/b', false), 'a%2Fb');
  assert.equal(uriEncode('é+=', false), '%C3%A9%2B%3D');
});
