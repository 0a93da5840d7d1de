package org.pthconvert.pickle.reader;

import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;

import org.pthconvert.errors.CheckpointException;
import org.pthconvert.errors.CheckpointException.Reason;
import org.pthconvert.pickle.PickleValue.PDict;
import org.pthconvert.pickle.PickleValue.PGlobal;
import org.pthconvert.pickle.PickleValue.PObject;
import org.pthconvert.pickle.PickleValue.PStr;
import org.pthconvert.pickle.PickleValue.PSymbol;
import org.pthconvert.pickle.PickleValue.PTuple;
import org.pthconvert.pickle.PickleValue;
import org.pthconvert.pickle.PickleLimits;

/**
 * Hooks for plain-data pickles, and the base the torch layer extends. A call is answered only for
 * the few constructors listed in {@code PlainCalls}, whose result is an inert value; any other call is
 * refused as {@link Reason#DANGEROUS}, because torch.load would run it. Objects made by NEWOBJ
 * become {@link PObject}s (class name + arguments, nothing instantiated).
 *
 * <p>Subclasses add constructors with {@link #allow(String, PlainCall)}.
 */
public class DataOnlyHooks implements PickleHooks {

    /** Makes the inert value for one allowlisted callable. Must not run or load anything. */
    @FunctionalInterface
    public interface PlainCall {
        PickleValue apply(PGlobal callable, PTuple args, long offset) throws CheckpointException;
    }

    private final KeyGuard keys;
    private final Map<String, PlainCall> allowlist;
    /**
     * The global last called, as spelled, and as resolved: torch pickles one {@code OrderedDict()} call
     * per tensor, all naming the one memoized global.
     */
    private PGlobal lastSpelled;
    private PGlobal lastResolved;
    private PlainCall lastPlainCall;
    private final CopyGuard copies = new CopyGuard(CopyGuard.DEFAULT_BUDGET);
    /**
     * Callables a BUILD state planted as an instance attribute, by target identity: CPython's BUILD
     * and APPEND look {@code __setstate__} / {@code append} / {@code extend} up on the instance first.
     */
    private final Map<PickleValue, Map<String, PickleValue>> planted = new IdentityHashMap<>();

    public DataOnlyHooks() {
        this(PickleLimits.DEFAULTS);
    }

    /** Hooks whose key hashing is bounded by {@code limits} (the same the {@link Unpickler} gets). */
    public DataOnlyHooks(PickleLimits limits) {
        this.keys = new KeyGuard(limits.maxKeyHashWork());
        this.allowlist = Map.copyOf(PlainCalls.table(keys));
    }

    /** Qualified names ({@code module.name}) this instance will call. */
    public final Set<String> allowedCalls() {
        return Collections.unmodifiableSet(allowlist.keySet());
    }

    /**
     * Charges a copy of {@code v} (a call that copies a list, dict, set, bytes or str) to this pickle's
     * budget of repeated copying: the first copy of each value is free, every further one costs its
     * size. Subclasses call it for their own copying constructors.
     */
    protected final void chargeCopy(PickleValue v, long offset) throws CheckpointException {
        copies.charge(v, offset);
    }

    /**
     * Charges hashing {@code key} (a dict key or set member a constructor adds) to this pickle's
     * budget, refusing unhashable keys as Python would. Subclasses call it for their own constructors.
     */
    protected final void chargeKey(PickleValue key) throws CheckpointException {
        keys.charge(key);
    }

    /**
     * A BUILD state, APPEND or SETITEM that reaches behaviour the reader cannot see (an attribute
     * that is a dunder, {@code append}/{@code extend} or a callable; a method of a class off the list).
     * Not code by itself, so a plain pickle goes on; the torch layer records it so it is never safe.
     */
    protected void unusual(String action, String what, long offset) throws CheckpointException {
    }

    @Override
    public PickleValue persistentLoad(PickleValue pid, long offset) throws CheckpointException {
        throw error(Reason.INVALID, offset, "persistent id in a plain pickle (" + pid.typeName() + ")");
    }

    @Override
    public PickleValue call(PickleValue callable, PTuple args, long offset) throws CheckpointException {
        if (callable instanceof PGlobal spelled) {
            if (spelled != lastSpelled) {
                lastResolved = GlobalNames.fixImports(spelled.module(), spelled.name());
                lastPlainCall = allowlist.get(lastResolved.qualified());
                lastSpelled = spelled;
            }
            PGlobal g = lastResolved;
            PlainCall c = lastPlainCall;
            if (c != null) {
                copies.chargeArguments(args, offset);
                return c.apply(g, args, offset);
            }
            throw dangerous(offset, "call to " + g.qualified());
        }
        if (callable instanceof PObject || callable instanceof PSymbol) {
            // Calling an instance runs its class's __call__.
            throw dangerous(offset, "call to a " + callable.typeName() + " object");
        }
        throw error(Reason.INVALID, offset, "'" + callable.typeName() + "' object is not callable");
    }

    /**
     * NEWOBJ: {@code cls.__new__(cls, *args)} as a {@link PObject}; nothing is instantiated. A
     * complex number (NEWOBJ {@code builtins.complex}) becomes the same value the call would.
     */
    @Override
    public PickleValue newObject(PickleValue cls, PTuple args, long offset) throws CheckpointException {
        if (!(cls instanceof PGlobal spelled)) {
            throw error(Reason.INVALID, offset, "NEWOBJ on a " + cls.typeName() + ", not a class");
        }
        PGlobal g = GlobalNames.fixImports(spelled.module(), spelled.name());
        if (g.name().equals("complex") && PlainCalls.isBuiltins(g.module())) {
            return PlainCalls.complex(args, offset);
        }
        return new PObject(g, args);
    }

    /**
     * BUILD: an object takes any state (its class's {@code __setstate__} would decide); an
     * OrderedDict takes a dict (or {@code (dict, slots)}) of attributes such as a state dict's
     * {@code _metadata}; other values have no state to set.
     */
    @Override
    public PickleValue build(PickleValue target, PickleValue state, long offset) throws CheckpointException {
        PickleValue setstate = plantedOn(target, "__setstate__");
        if (setstate != null) {
            // An earlier BUILD put __setstate__ in the instance's __dict__: CPython calls it now.
            call(setstate, new PTuple(java.util.List.of(state)), offset);
            return target;
        }
        checkState(target, state, offset);
        if (target instanceof PObject obj) {
            obj.setState(state);
            return obj;
        }
        if (target instanceof PDict dict && dict.isOrderedDict()) {
            // (checkState above charged looking at the state: copying it costs no more)
            if (state instanceof PTuple t && t.size() == 2) {
                setAttributes(dict, t.get(0), offset);
                setAttributes(dict, t.get(1), offset);
            } else {
                setAttributes(dict, state, offset);
            }
            return dict;
        }
        throw error(Reason.INVALID, offset, "BUILD on a " + target.typeName() + ", which has no state to set");
    }

    /**
     * Looks at what a BUILD state would set on {@code target} (a dict, or a (dict, slots) pair, as
     * CPython's BUILD and torch's {@code _set_obj_state} take it): dunders, {@code append},
     * {@code extend} and callables are {@link #unusual}; a planted {@code __setstate__},
     * {@code append} or {@code extend} is remembered for the opcodes that look it up.
     */
    protected final void checkState(PickleValue target, PickleValue state, long offset) throws CheckpointException {
        if (state instanceof PTuple t && t.size() == 2) {
            checkAttributes(target, t.get(0), offset);
            checkAttributes(target, t.get(1), offset);
        } else {
            checkAttributes(target, state, offset);
        }
    }

    private void checkAttributes(PickleValue target, PickleValue state, long offset) throws CheckpointException {
        if (!(state instanceof PDict d)) {
            return;
        }
        // Looking at a state is a copy's work: one dict BUILT onto 100,000 objects is charged as such.
        copies.charge(d, offset);
        for (Map.Entry<PickleValue, PickleValue> e : d.entries()) {
            String name = e.getKey() instanceof PStr s ? s.value() : null;
            PickleValue v = e.getValue();
            // A class or function as an attribute value: what a later lookup may call. Instances
            // (objects, values kept by name) are data here; their classes were judged when named.
            boolean callable = v instanceof PGlobal;
            if (name == null) {
                continue;
            }
            boolean door = name.startsWith("__") && name.endsWith("__") || name.equals("append")
                    || name.equals("extend");
            if (door) {
                planted.computeIfAbsent(target, k -> new HashMap<>()).put(name, v);
                unusual("build", "sets attribute '" + name + "' of a " + target.typeName(), offset);
            } else if (callable && !isNamedOnly(v)) {
                unusual("build", "sets attribute '" + name + "' of a " + target.typeName() + " to a "
                        + v.typeName(), offset);
            }
        }
    }

    /** Whether {@code v} is a value torch only names (a dtype, a layout): not a callable to worry about. */
    protected boolean isNamedOnly(PickleValue v) {
        return false;
    }

    /** The attribute {@code name} a BUILD state planted on {@code target}, or null. */
    protected final PickleValue plantedOn(PickleValue target, String name) {
        Map<String, PickleValue> m = planted.get(target);
        return m == null ? null : m.get(name);
    }

    /**
     * APPEND(S) / SETITEM(S) on something that is not a plain list or dict (an object NEWOBJ made):
     * CPython calls {@code obj.append}/{@code obj.extend} (an instance attribute wins) or
     * {@code type(obj).__setitem__}.
     */
    @Override
    public void mutate(PickleValue target, String method, PTuple args, long offset) throws CheckpointException {
        if (method.equals("__setitem__")) {
            return;
        }
        PickleValue own = plantedOn(target, "extend");
        own = own != null ? own : plantedOn(target, "append");
        if (own != null) {
            call(own, args, offset);
        }
    }

    private static void setAttributes(PDict target, PickleValue state, long offset) throws CheckpointException {
        if (state == PickleValue.PNone.NONE) {
            return;
        }
        if (!(state instanceof PDict attributes)) {
            throw error(Reason.INVALID, offset, "BUILD state for an OrderedDict is a " + state.typeName()
                    + ", not a dict");
        }
        for (Map.Entry<PickleValue, PickleValue> e : attributes.entries()) {
            if (!(e.getKey() instanceof PStr name)) {
                throw error(Reason.INVALID, offset, "attribute name is a " + e.getKey().typeName() + ", not a str");
            }
            target.setAttribute(name.value(), e.getValue());
        }
    }

    static CheckpointException dangerous(long offset, String what) {
        return error(Reason.DANGEROUS, offset, "this file would run code when loaded with torch.load: " + what);
    }

    static CheckpointException error(Reason reason, long offset, String detail) {
        return CheckpointException.at(reason, null, null, offset, detail);
    }
}
