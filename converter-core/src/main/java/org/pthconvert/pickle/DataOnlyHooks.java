package org.pthconvert.pickle;

import java.util.Collections;
import java.util.HashMap;
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

    private final KeyGuard keys = new KeyGuard(PickleLimits.DEFAULTS.maxKeyHashWork());
    private final Map<String, PlainCall> allowlist = new HashMap<>(PlainCalls.table(keys));
    private final CopyGuard copies = new CopyGuard(CopyGuard.DEFAULT_BUDGET);

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

    /** Adds (or replaces) an allowlisted callable, for subclasses that know more harmless constructors. */
    protected final void allow(String qualifiedName, PlainCall call) {
        allowlist.put(qualifiedName, call);
    }

    @Override
    public PickleValue persistentLoad(PickleValue pid, long offset) throws CheckpointException {
        throw error(Reason.INVALID, offset, "persistent id in a plain pickle (" + pid.typeName() + ")");
    }

    @Override
    public PickleValue call(PickleValue callable, PTuple args, long offset) throws CheckpointException {
        if (callable instanceof PGlobal g) {
            PlainCall c = allowlist.get(g.qualified());
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
        if (!(cls instanceof PGlobal g)) {
            throw error(Reason.INVALID, offset, "NEWOBJ on a " + cls.typeName() + ", not a class");
        }
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
        if (target instanceof PObject obj) {
            obj.setState(state);
            return obj;
        }
        if (target instanceof PDict dict && dict.isOrderedDict()) {
            copies.charge(state instanceof PTuple t2 && t2.size() == 2 ? t2.get(0) : state, offset);
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
            target.attributes().put(name.value(), e.getValue());
        }
    }

    static CheckpointException dangerous(long offset, String what) {
        return error(Reason.DANGEROUS, offset, "this file would run code when loaded with torch.load: " + what);
    }

    static CheckpointException error(Reason reason, long offset, String detail) {
        return CheckpointException.at(reason, null, null, offset, detail);
    }
}
