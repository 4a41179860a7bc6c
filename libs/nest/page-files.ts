import { NotFoundException } from '@nestjs/common';
import type { Response } from 'express';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import { PROJECT_ROOT } from '../config/checkout';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
};

// A page loads only its own scripts and styles and talks only to this API.
const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy': "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-cache',
};

/** `<!--#include <path>-->` in a page: that file (its path relative to the including file's folder, itself read the same way) in its place, so pages share one head. */
const INCLUDE = /<!--#include (\S+?)-->\n?/g;

function withIncludes(dir: string, page: string): string {
  return page.replace(INCLUDE, (_, path: string) => {
    const file = join(dir, path);
    return withIncludes(dirname(file), readFileSync(file, 'utf8'));
  });
}

/**
 * A page's files (the dashboard, the self-report page), read once at start from the checkout (they
 * are not compiled): a request can only name one of them, so no path from the URL ever reaches the
 * file system.
 */
export class PageFiles {
  private readonly files = new Map<string, { type: string; body: Buffer }>();

  constructor(
    private readonly page: string,
    ...folder: string[]
  ) {
    const dir = join(PROJECT_ROOT, ...folder);
    for (const name of readdirSync(dir)) {
      const type = CONTENT_TYPES[extname(name)];
      if (!type) continue;
      const body = name.endsWith('.html') ? Buffer.from(withIncludes(dir, readFileSync(join(dir, name), 'utf8'))) : readFileSync(join(dir, name));
      this.files.set(name, { type, body });
    }
  }

  send(response: Response, name: string): void {
    const file = this.files.get(name);
    if (!file) throw new NotFoundException(`no ${this.page} file ${name}`);
    response.set({ ...SECURITY_HEADERS, 'Content-Type': file.type }).send(file.body);
  }
}
