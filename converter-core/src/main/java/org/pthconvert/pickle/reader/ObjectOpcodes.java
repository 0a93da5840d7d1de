package org.pthconvert.pickle.reader;

import java.io.IOException;
import java.util.List;

import org.pthconvert.errors.CheckpointException;
import org.pthconvert.errors.CheckpointException.Reason;
import org.pthconvert.pickle.PickleValue.PDict;
import org.pthconvert.pickle.PickleValue.PGlobal;
import org.pthconvert.pickle.PickleValue.PStr;
import org.pthconvert.pickle.PickleValue.PTuple;
import org.pthconvert.pickle.PickleValue;
import org.pthconvert.pickle.PickleLimits;

/**
 * Opcodes that would reach outside plain data: imports (GLOBAL, STACK_GLOBAL, INST), calls (REDUCE,
 * INST, OBJ), object creation (NEWOBJ, NEWOBJ_EX), BUILD, persistent ids and the extension
 * registry. Each becomes a {@link PickleHooks} callback with the opcode's offset; nothing here
 * imports or runs anything.
 */
final class ObjectOpcodes {
    /** Longest {@code module.name} accepted: far beyond any real qualified name. */
    static final int MAX_GLOBAL_CHARS = 4096;

    private final PickleHooks hooks;
    private final PickleStack stack;
    private final PickleLimits limits;
    /** The protocol the last PROTO declared: it decides how CPython resolves a global's name. */
    private int protocol;

    ObjectOpcodes(PickleHooks hooks, PickleStack stack, PickleLimits limits) {
        this.hooks = hooks;
        this.stack = stack;
        this.limits = limits;
    }

    /** What the pickle's PROTO opcode declared, as it is read. */
    void protocol(int declared) {
        this.protocol = declared;
    }

    void execute(Opcode op, PickleInput input, long offset) throws IOException, CheckpointException {
        switch (op) {
            case GLOBAL -> stack.push(globalOpcode(input, offset));
            case STACK_GLOBAL -> {
                PickleValue name = stack.pop();
                PickleValue module = stack.pop();
                if (!(module instanceof PStr m) || !(name instanceof PStr n)) {
                    throw PickleInput.error(Reason.INVALID, "STACK_GLOBAL requires two str, got "
                            + module.typeName() + " and " + name.typeName());
                }
                stack.push(global(m.value(), n.value(), offset));
            }
            case INST -> {
                PGlobal cls = global(nameLine(input, "module", true), nameLine(input, "name", true), offset);
                PTuple args = stack.popMarkTuple();
                stack.push(result(hooks.call(cls, args, offset), "call"));
            }
            case OBJ -> {
                int start = stack.popMark();
                List<PickleValue> values = List.copyOf(stack.marked(start));
                stack.dropMarked(start);
                if (values.isEmpty()) {
                    throw PickleInput.error(Reason.INVALID, "OBJ needs a class after its MARK");
                }
                PTuple args = new PTuple(values.subList(1, values.size()));
                stack.push(result(hooks.call(values.get(0), args, offset), "call"));
            }
            case REDUCE -> {
                PTuple args = tuple(stack.pop(), "REDUCE arguments");
                PickleValue callable = stack.peek(0);
                stack.replaceTop(result(hooks.call(callable, args, offset), "call"));
            }
            case NEWOBJ -> {
                PTuple args = tuple(stack.pop(), "NEWOBJ arguments");
                PickleValue cls = stack.pop();
                stack.push(result(hooks.newObject(cls, args, offset), "newObject"));
            }
            case NEWOBJ_EX -> newObjectEx(offset);
            case BUILD -> {
                PickleValue state = stack.pop();
                PickleValue target = stack.peek(0);
                stack.replaceTop(result(hooks.build(target, state, offset), "build"));
            }
            case PERSID -> {
                PStr pid = new PStr(TextForms.ascii(input.line(limits.maxStringBytes(), "persistent id"),
                        "persistent id"));
                stack.push(result(hooks.persistentLoad(pid, offset), "persistentLoad"));
            }
            case BINPERSID -> stack.push(result(hooks.persistentLoad(stack.pop(), offset), "persistentLoad"));
            case EXT1 -> extension(input.u8(), offset);
            case EXT2 -> extension(input.u16(), offset);
            case EXT4 -> extension(input.s32(), offset);
            default -> throw new IllegalStateException("not an object opcode: " + op);
        }
    }

    /**
     * NEWOBJ_EX is {@code cls.__new__(cls, *args, **kwargs)}. Without keyword arguments it is NEWOBJ;
     * keyword arguments to {@code __new__} have no inert meaning here and are refused as unsupported.
     */
    private void newObjectEx(long offset) throws CheckpointException {
        PickleValue kwargs = stack.pop();
        PTuple args = tuple(stack.pop(), "NEWOBJ_EX arguments");
        PickleValue cls = stack.pop();
        if (!(kwargs instanceof PDict d)) {
            throw PickleInput.error(Reason.INVALID, "NEWOBJ_EX keyword arguments are a " + kwargs.typeName()
                    + ", not a dict");
        }
        if (d.size() > 0) {
            throw PickleInput.error(Reason.UNSUPPORTED, "NEWOBJ_EX passes keyword arguments to "
                    + (cls instanceof PGlobal g ? g.qualified() : "a " + cls.typeName()) + ".__new__");
        }
        stack.push(result(hooks.newObject(cls, args, offset), "newObject"));
    }

    private PGlobal global(String module, String name, long offset) throws CheckpointException {
        if (module.isEmpty() || name.isEmpty()) {
            if (!module.isEmpty() && module.length() <= MAX_GLOBAL_CHARS) {
                // Python imports the module before it finds no attribute '': audit that import.
                hooks.onGlobal(GlobalNames.resolve(module, "?", protocol), offset);
            }
            throw PickleInput.error(Reason.INVALID, "global with an empty module or name: '" + module + "." + name
                    + "'");
        }
        if ((long) module.length() + name.length() > MAX_GLOBAL_CHARS) {
            // No importable module has such a name; and STACK_GLOBAL over memoized strings could make
            // every reference copy megabytes (its qualified name, its audit record).
            throw PickleInput.error(Reason.LIMIT, "global name of " + ((long) module.length() + name.length())
                    + " characters is longer than the limit of " + MAX_GLOBAL_CHARS + ": '"
                    + TextForms.abbreviate(module) + "." + TextForms.abbreviate(name) + "'");
        }
        PGlobal g = GlobalNames.resolve(module, name, protocol);
        hooks.onGlobal(g, offset);
        return g;
    }

    /**
     * GLOBAL: a module line and a name line. Where the input ends inside them, Python's own unpickler
     * (pickle._Unpickler) still imports what it read, each line less its last byte, before it fails:
     * that global is audited as such, then the pickle is refused as truncated.
     */
    private PGlobal globalOpcode(PickleInput input, long offset) throws IOException, CheckpointException {
        byte[] module = input.lineOrRest(limits.maxStringBytes(), "global module");
        byte[] name = module == null ? null : input.lineOrRest(limits.maxStringBytes(), "global name");
        if (module != null && name != null) {
            return global(utf8(module, "module"), utf8(name, "name"), offset);
        }
        String m = module != null ? utf8(module, "module") : utf8(dropLast(input.rest()), "module");
        String n = module != null ? utf8(dropLast(input.rest()), "name") : "";
        if (!m.isEmpty()) {
            try {
                global(m, n, offset);
            } catch (CheckpointException e) {
                // the audit has seen the import; the truncation is what the file is refused for
            }
        }
        throw PickleInput.truncated("global " + (module == null ? "module" : "name") + " is not terminated by a newline");
    }

    private static byte[] dropLast(byte[] b) {
        return java.util.Arrays.copyOf(b, Math.max(0, b.length - 1));
    }

    private static String utf8(byte[] line, String what) throws CheckpointException {
        String s = TextForms.utf8(line, false);
        if (s == null) {
            throw PickleInput.error(Reason.INVALID, "global " + what + " is not valid UTF-8");
        }
        return s;
    }

    /** GLOBAL names are UTF-8; INST names ASCII (as CPython reads them). */
    private String nameLine(PickleInput input, String what, boolean ascii) throws IOException, CheckpointException {
        byte[] line = input.line(limits.maxStringBytes(), "global " + what);
        if (ascii) {
            return TextForms.ascii(line, "INST " + what);
        }
        String s = TextForms.utf8(line, false);
        if (s == null) {
            throw PickleInput.error(Reason.INVALID, "global " + what + " is not valid UTF-8");
        }
        return s;
    }

    private void extension(long code, long offset) throws CheckpointException {
        if (code <= 0) {
            throw PickleInput.error(Reason.INVALID, "extension code " + code + " is not positive");
        }
        stack.push(result(hooks.extension(code, offset), "extension"));
    }

    private static PTuple tuple(PickleValue v, String what) throws CheckpointException {
        if (v instanceof PTuple t) {
            return t;
        }
        throw PickleInput.error(Reason.INVALID, what + " are a " + v.typeName() + ", not a tuple");
    }

    /** What a hook returned, which must be a value: a hook returning null is a bug, not a bad file. */
    static PickleValue result(PickleValue v, String hook) {
        if (v == null) {
            throw new IllegalStateException("PickleHooks." + hook + " returned null");
        }
        return v;
    }
}
