"""Writes pickletools-opcodes.tsv: Python's own opcode table, which OpcodeTableTest compares
with org.pthconvert.pickle.Opcode. Run once, from this folder, with the project's venv:

    /work/main/.venv/bin/python gen_opcodes.py > pickletools-opcodes.tsv
"""
import pickletools
import sys

print("# Python %s pickletools.opcodes, written by gen_opcodes.py (beside this file)."
      % sys.version.split()[0])
print("# name\tcode\tprotocol\targ\targ_n")
print("# arg_n > 0: fixed byte count; -1 up to a newline; -2 length from a 1-byte prefix; -3 from a 4-byte signed"
      " one; -4/-5 from a 4-byte/8-byte unsigned one; 0 no argument.")
for op in pickletools.opcodes:
    arg = op.arg
    print("\t".join([op.name, "0x%02x" % ord(op.code), str(op.proto),
                     arg.name if arg else "-", str(arg.n) if arg else "0"]))
