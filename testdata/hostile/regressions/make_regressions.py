"""Writes the regression files of testdata/hostile/regressions (see README.md there).

Run with the project venv (torch is needed for shared_tensor_paths.pth):
    .venv/bin/python testdata/hostile/regressions/make_regressions.py
Every file is small; none has a payload. Output is deterministic.
"""
import io
import os
import struct
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))


def zip_pickle(name, pickle_bytes, records=()):
    """A torch-like zip: <stem>/data.pkl, <stem>/byteorder, then <stem>/data/<key> records, all STORED."""
    stem = name.split('.')[0]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, 'w', zipfile.ZIP_STORED) as z:
        for entry, data in [('data.pkl', pickle_bytes), ('byteorder', b'little')] + list(records):
            info = zipfile.ZipInfo(stem + '/' + entry, date_time=(2020, 1, 1, 0, 0, 0))
            z.writestr(info, data)
    with open(os.path.join(HERE, name), 'wb') as f:
        f.write(buf.getvalue())


def int_digits():
    # 20 INT opcodes of 5000 decimal digits each (CPython refuses more than 4300: converting decimal
    # text costs quadratic time), each popped, then an empty dict.
    body = b'\x80\x02' + (b'I' + b'7' * 5000 + b'\n0') * 20 + b'}.'
    zip_pickle('int_digits.pth', body)


def float_digits():
    # A FLOAT opcode whose text is 100,000 digits and then an 'x': not a float. The pattern that checks
    # float text once retried every split of the digit run: minutes.
    zip_pickle('float_digits.pth', b'\x80\x02F' + b'1' * 100000 + b'x\n.')


def set_of_costly_members():
    # t = tuple(range(2500)) (memo 0), then set([t] * 5000): each member costs ~5000 units to hash, and
    # set() once hashed them without charging the per-pickle budget that SETITEMS and ADDITEMS charge.
    body = b'\x80\x02(' + b''.join(b'J' + struct.pack('<i', i) for i in range(2500)) + b'tq\x000'
    body += b'c__builtin__\nset\n](' + b'h\x00' * 5000 + b'e\x85R.'
    zip_pickle('set_of_costly_members.pth', body)


def copy_list_repeated():
    # l = [1] * 20000 (memo 0); f = builtins.list (memo 1); then list(l) 1100 times, each result popped.
    body = b'\x80\x02](' + b'K\x01' * 20000 + b'eq\x00c__builtin__\nlist\nq\x010'
    body += b'h\x01h\x00\x85R0' * 1100 + b'.'
    zip_pickle('copy_list_repeated.pth', body)


def build_repeated():
    # d = {'k0': 0, ..., 'k4999': 0} (memo 0); o = OrderedDict(); then BUILD(o, d) 4100 times.
    body = bytearray(b'\x80\x02}q\x00(')
    for i in range(5000):
        k = ('k%d' % i).encode()
        body += b'X' + struct.pack('<I', len(k)) + k + b'K\x00'
    body += b'u0ccollections\nOrderedDict\n)R' + b'h\x00b' * 4100 + b'.'
    zip_pickle('build_repeated.pth', bytes(body))


def shared_tensor_paths():
    import torch
    base = torch.zeros(1000)
    d = {str(i): base[i:i + 1] for i in range(1000)}
    # 2000 paths to one dict of 1000 tensors: 2,000,000 tensor paths, 1000 distinct tensors.
    buf = io.BytesIO()
    torch.save({'c': [[d] * 1000] * 2}, buf)
    # Re-zip under the file's own top folder with fixed dates, so the bytes do not change between runs.
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    records = []
    pickle_bytes = None
    for n in src.namelist():
        rel = n.split('/', 1)[1]
        if rel == 'data.pkl':
            pickle_bytes = src.read(n)
        elif rel.startswith('data/'):
            records.append((rel, src.read(n)))
    zip_pickle('shared_tensor_paths.pth', pickle_bytes, records)


if __name__ == '__main__':
    int_digits()
    float_digits()
    set_of_costly_members()
    copy_list_repeated()
    build_repeated()
    shared_tensor_paths()
