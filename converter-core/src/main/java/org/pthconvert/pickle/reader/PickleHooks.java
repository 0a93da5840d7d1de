package org.pthconvert.pickle.reader;

import org.pthconvert.errors.CheckpointException;
import org.pthconvert.errors.CheckpointException.Reason;
import org.pthconvert.pickle.PickleValue.PGlobal;
import org.pthconvert.pickle.PickleValue.PTuple;
import org.pthconvert.pickle.PickleValue;

/**
 * What the {@link Unpickler} asks its owner whenever a pickle would reach outside plain data.
 * The unpickler itself never imports or calls anything; these hooks decide, from names alone,
 * which inert value stands for the result, or refuse.
 *
 * <p>Every method gets the byte offset of the opcode, for errors and audit records.
 */
public interface PickleHooks {

    /** GLOBAL / STACK_GLOBAL / INST named {@code global}; called once per reference, for auditing. */
    default void onGlobal(PGlobal global, long offset) throws CheckpointException {
    }

    /** BINPERSID / PERSID: the value for a persistent id (torch: a storage). */
    PickleValue persistentLoad(PickleValue pid, long offset) throws CheckpointException;

    /**
     * REDUCE, INST and OBJ: {@code callable(*args)}. Return an inert value for allowlisted
     * constructors; throw {@link CheckpointException.Reason#DANGEROUS} for anything else
     * (or, when auditing, record it and return a {@link PickleValue.PSymbol}).
     */
    PickleValue call(PickleValue callable, PTuple args, long offset) throws CheckpointException;

    /** NEWOBJ / NEWOBJ_EX: {@code cls.__new__(cls, *args)}; normally an inert {@link PickleValue.PObject}. */
    PickleValue newObject(PickleValue cls, PTuple args, long offset) throws CheckpointException;

    /** BUILD: set {@code state} on {@code target}; returns what stays on the stack (usually target). */
    PickleValue build(PickleValue target, PickleValue state, long offset) throws CheckpointException;

    /**
     * APPEND/APPENDS ({@code method} "append" or "extend") or SETITEM/SETITEMS ("__setitem__") on a
     * value that is not a plain list or dict, with the items added; called before they are added.
     */
    default void mutate(PickleValue target, String method, PTuple args, long offset) throws CheckpointException {
    }

    /** EXT1/2/4 (copyreg extension registry): nothing registers extensions for checkpoints. */
    default PickleValue extension(long code, long offset) throws CheckpointException {
        throw CheckpointException.of(Reason.INVALID, "pickle uses extension code " + code + ", which no checkpoint registers").at(null, offset);
    }
}
