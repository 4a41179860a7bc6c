/**
 * The project's tool setup (scripts/tools.js): a Go build killed outright leaves its build folder
 * (gigabytes); the next build removes it, and never the folder of a build still running.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { removeAbandonedBuilds } from '../../scripts/tools';

describe('tools: Go build folders', () => {
  it('removes the build folders of processes gone, keeps those of running ones and anything else', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tools-'));
    try {
      // A process that has exited: its pid is free (reused at worst by a process that started since, which keeps the folder).
      const gone = spawnSync(process.execPath, ['-e', 'console.log(process.pid)']).stdout.toString().trim();
      const folders = [`go-build-${gone}`, `go-build-${process.pid}`, 'go-build-Ab12Cd', 'temporal-cli'];
      for (const name of folders) fs.mkdirSync(path.join(root, name, 'cache'), { recursive: true });
      removeAbandonedBuilds(root);
      expect(fs.readdirSync(root).sort()).toEqual(folders.slice(1).sort());
      removeAbandonedBuilds(path.join(root, 'missing'));
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
