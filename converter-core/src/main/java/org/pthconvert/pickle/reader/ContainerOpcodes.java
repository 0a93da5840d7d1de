package org.pthconvert.pickle.reader;

import java.util.List;

import org.pthconvert.errors.CheckpointException;
import org.pthconvert.errors.CheckpointException.Reason;
import org.pthconvert.pickle.PickleValue.PDict;
import org.pthconvert.pickle.PickleValue.PList;
import org.pthconvert.pickle.PickleValue.PObject;
import org.pthconvert.pickle.PickleValue.PSet;
import org.pthconvert.pickle.PickleValue.PTuple;
import org.pthconvert.pickle.PickleValue;

/**
 * Opcodes that build or fill containers. A mutating opcode only touches the type it was made for
 * (SETITEM(S) a dict or a dict subclass's items, APPEND(S) a list or a list subclass's items,
 * ADDITEMS a set): a pickle that aims one at a tuple, a str or a storage is refused, never allowed
 * to reinterpret that value (CVE-2026-24747). Keys pass {@link KeyGuard} before hashing.
 */
final class ContainerOpcodes {
    private final PickleStack stack;
    private final KeyGuard keys;
    private final PickleHooks hooks;
    private long offset;

    ContainerOpcodes(PickleStack stack, KeyGuard keys, PickleHooks hooks) {
        this.stack = stack;
        this.keys = keys;
        this.hooks = hooks;
    }

    void execute(Opcode op, long opOffset) throws CheckpointException {
        this.offset = opOffset;
        switch (op) {
            case LIST -> {
                int start = stack.popMark();
                PList list = new PList();
                list.items().addAll(stack.marked(start));
                stack.dropMarked(start);
                stack.push(list);
            }
            case TUPLE -> stack.push(stack.popMarkTuple());
            case TUPLE1 -> tupleOf(1);
            case TUPLE2 -> tupleOf(2);
            case TUPLE3 -> tupleOf(3);
            case DICT -> {
                int start = stack.popMark();
                PDict dict = new PDict(false);
                putPairs(dict, stack.marked(start), "DICT");
                stack.dropMarked(start);
                stack.push(dict);
            }
            case FROZENSET -> {
                int start = stack.popMark();
                PSet set = new PSet(true);
                addAll(set, stack.marked(start));
                stack.dropMarked(start);
                stack.push(set);
            }
            case APPEND -> {
                PickleValue value = stack.pop();
                appendAll(stack.peek(0), List.of(value), op);
            }
            case APPENDS -> {
                PickleValue target = stack.belowMark();
                int start = stack.popMark();
                appendAll(target, stack.marked(start), op);
                stack.dropMarked(start);
            }
            case SETITEM -> {
                PickleValue value = stack.pop();
                PickleValue key = stack.pop();
                putPairs(dictOf(stack.peek(0), op), List.of(key, value), "SETITEM");
            }
            case SETITEMS -> {
                PDict dict = dictOf(stack.belowMark(), op);
                int start = stack.popMark();
                putPairs(dict, stack.marked(start), "SETITEMS");
                stack.dropMarked(start);
            }
            case ADDITEMS -> {
                PickleValue target = stack.belowMark();
                if (!(target instanceof PSet set) || set.typeName().equals("frozenset")) {
                    throw misuse(op, target);
                }
                int start = stack.popMark();
                addAll(set, stack.marked(start));
                stack.dropMarked(start);
            }
            default -> throw new IllegalStateException("not a container opcode: " + op);
        }
    }

    private void tupleOf(int n) throws CheckpointException {
        PickleValue[] items = new PickleValue[n];
        stack.peek(n - 1); // underflow check before popping anything
        for (int i = n - 1; i >= 0; i--) {
            items[i] = stack.pop();
        }
        stack.push(PTuple.owning(items));
    }

    private void appendAll(PickleValue target, List<PickleValue> values, Opcode op)
            throws CheckpointException {
        if (target instanceof PList list) {
            list.items().addAll(values);
        } else if (target instanceof PObject obj) {
            // CPython looks extend (then append) up on the object itself: the hooks judge that call.
            hooks.mutate(obj, "extend", new PTuple(List.of(new PTuple(values))), offset);
            obj.listItems().addAll(values); // a list subclass pickled by NEWOBJ
        } else {
            throw misuse(op, target);
        }
    }

    private PDict dictOf(PickleValue target, Opcode op) throws CheckpointException {
        if (target instanceof PDict dict) {
            return dict;
        }
        if (target instanceof PObject obj) {
            hooks.mutate(obj, "__setitem__", PTuple.EMPTY, offset);
            return obj.dictItems(); // a dict subclass pickled by NEWOBJ
        }
        throw misuse(op, target);
    }

    private void putPairs(PDict dict, List<PickleValue> values, String what) throws CheckpointException {
        if (values.size() % 2 != 0) {
            throw PickleInput.error(Reason.INVALID, "odd number of items (" + values.size() + ") for " + what);
        }
        for (int i = 0; i < values.size(); i += 2) {
            keys.charge(values.get(i));
            dict.put(values.get(i), values.get(i + 1));
        }
    }

    private void addAll(PSet set, List<PickleValue> values) throws CheckpointException {
        for (PickleValue v : values) {
            keys.charge(v);
            set.add(v);
        }
    }

    private static CheckpointException misuse(Opcode op, PickleValue target) {
        String article = target.typeName().matches("^[aeiouAEIOU].*") ? "an " : "a ";
        return PickleInput.error(Reason.INVALID, op.name() + " on " + article + target.typeName());
    }
}
