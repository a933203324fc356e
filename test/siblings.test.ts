// Siblings: the files a multi-file format may open beside the scanned one.
import { mkdtempSync, rmSync, symlinkSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BlobSiblings, NO_SIBLINGS } from '../src/engine/siblings.js';
import { DirectorySiblings } from '../src/node/directory-siblings.js';

const dir = mkdtempSync(join(tmpdir(), 'weightlens-siblings-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
writeFileSync(join(dir, 'model.safetensors.index.json'), '{}');
writeFileSync(join(dir, 'model-00001-of-00002.safetensors'), 'shard one');
mkdirSync(join(dir, 'sub'));
symlinkSync('/etc/hostname', join(dir, 'link.safetensors'));

describe('DirectorySiblings', () => {
  it('lists the regular files beside the file, not itself, folders or links', async () => {
    const siblings = new DirectorySiblings(join(dir, 'model.safetensors.index.json'));
    expect(await siblings.names()).toEqual(['model-00001-of-00002.safetensors']);
    await siblings.close();
  });

  it('opens a sibling by name, refuses anything else, and closes what it opened', async () => {
    const siblings = new DirectorySiblings(join(dir, 'model.safetensors.index.json'));
    const shard = await siblings.open('model-00001-of-00002.safetensors');
    expect(new TextDecoder().decode(await shard!.read(0, 9))).toBe('shard one');
    expect(await siblings.open('../model.safetensors.index.json')).toBeUndefined();
    expect(await siblings.open('link.safetensors')).toBeUndefined();
    expect(await siblings.open('missing.safetensors')).toBeUndefined();
    await siblings.close();
    await expect(shard!.read(0, 1)).rejects.toThrow();
  });
});

describe('BlobSiblings', () => {
  it('offers the files dropped together', async () => {
    const siblings = new BlobSiblings([['config.json', new Blob(['{"a":1}'])]]);
    expect(await siblings.names()).toEqual(['config.json']);
    expect((await siblings.open('config.json'))!.size).toBe(7);
    expect(await siblings.open('other.json')).toBeUndefined();
    expect(await NO_SIBLINGS.names()).toEqual([]);
  });
});
