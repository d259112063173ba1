// ELF dynamic symbols of a shared library (no binutils needed).
import fs from 'node:fs';
import { Fail } from './errors.mjs';

export function elfInfo(file) {
  const fd = fs.openSync(file, 'r');
  try {
    const read = (pos, len) => {
      const b = Buffer.alloc(len);
      fs.readSync(fd, b, 0, len, Number(pos));
      return b;
    };
    const h = read(0, 64);
    if (h.readUInt32BE(0) !== 0x7f454c46) throw new Fail(2, `${file} is not an ELF shared library (Linux builds only)`);
    if (h[4] !== 2 || h[5] !== 1) throw new Fail(2, `${file}: only 64-bit little-endian ELF is supported`);
    const machine = h.readUInt16LE(18);
    const shoff = h.readBigUInt64LE(40),
      shentsize = h.readUInt16LE(58),
      shnum = h.readUInt16LE(60);
    const sh = read(shoff, shentsize * shnum);
    const sec = (i) => ({
      type: sh.readUInt32LE(i * shentsize + 4),
      offset: sh.readBigUInt64LE(i * shentsize + 24),
      size: Number(sh.readBigUInt64LE(i * shentsize + 32)),
      link: sh.readUInt32LE(i * shentsize + 40),
    });
    let dynsym = null,
      dynamic = null;
    for (let i = 0; i < shnum; i++) {
      const s = sec(i);
      if (s.type === 11) dynsym = s;
      if (s.type === 6) dynamic = s;
    }
    if (!dynsym) throw new Fail(2, `${file} has no dynamic symbol table`);
    const strs = sec(dynsym.link);
    const str = read(strs.offset, strs.size);
    const cstr = (off) => str.toString('latin1', off, str.indexOf(0, off));
    const syms = read(dynsym.offset, dynsym.size);
    const defined = new Set(),
      undefinedStrong = new Set();
    for (let p = 0; p + 24 <= syms.length; p += 24) {
      const name = cstr(syms.readUInt32LE(p));
      if (!name) continue;
      const bind = syms[p + 4] >> 4,
        shndx = syms.readUInt16LE(p + 6);
      if (shndx !== 0) {
        if (bind === 1 || bind === 2) defined.add(name);
      } else if (bind === 1) undefinedStrong.add(name);
    }
    let soname = null;
    const needed = [];
    if (dynamic) {
      const d = read(dynamic.offset, dynamic.size);
      for (let p = 0; p + 16 <= d.length; p += 16) {
        const tag = Number(d.readBigInt64LE(p)),
          v = Number(d.readBigUInt64LE(p + 8));
        if (tag === 0) break;
        if (tag === 14) soname = cstr(v);
        if (tag === 1) needed.push(cstr(v));
      }
    }
    return { machine, defined, undefinedStrong, soname, needed };
  } finally {
    fs.closeSync(fd);
  }
}
export const ELF_MACHINE = { x64: 62, arm64: 183 };
