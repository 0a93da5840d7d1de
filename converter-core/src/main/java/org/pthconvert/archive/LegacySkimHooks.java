package org.pthconvert.archive;

import org.pthconvert.errors.CheckpointException;
import org.pthconvert.pickle.reader.DataOnlyHooks;
import org.pthconvert.pickle.PickleValue;
import org.pthconvert.pickle.PickleValue.PGlobal;
import org.pthconvert.pickle.PickleValue.PObject;
import org.pthconvert.pickle.PickleValue.PSymbol;
import org.pthconvert.pickle.PickleValue.PTuple;

/**
 * Hooks for skimming a legacy checkpoint's main pickle only to learn where it ends. Nothing is
 * judged here (the real read, with the torch hooks, refuses what must be refused): plain-data
 * constructors behave as usual so containers fill as the opcodes expect, and every persistent id,
 * torch call, unknown call or extension code becomes an inert placeholder that accepts items and
 * state. Nothing is imported or run, and the pickle limits still bound the work.
 */
final class LegacySkimHooks extends DataOnlyHooks {
    private static final PGlobal STORAGE = new PGlobal("torch", "storage");

    @Override
    public PickleValue persistentLoad(PickleValue pid, long offset) {
        return new PSymbol(STORAGE, pid instanceof PTuple t ? t : PTuple.EMPTY);
    }

    @Override
    public PickleValue call(PickleValue callable, PTuple args, long offset) {
        try {
            return super.call(callable, args, offset);
        } catch (CheckpointException e) {
            return placeholder(callable, args);
        }
    }

    @Override
    public PickleValue newObject(PickleValue cls, PTuple args, long offset) {
        try {
            return super.newObject(cls, args, offset);
        } catch (CheckpointException e) {
            return placeholder(cls, args);
        }
    }

    @Override
    public PickleValue build(PickleValue target, PickleValue state, long offset) {
        try {
            return super.build(target, state, offset);
        } catch (CheckpointException e) {
            return target;
        }
    }

    @Override
    public PickleValue extension(long code, long offset) {
        return new PGlobal("copyreg", "extension_" + code);
    }

    private static PickleValue placeholder(PickleValue callable, PTuple args) {
        PGlobal type = callable instanceof PGlobal g ? g : new PGlobal("?", callable.typeName());
        return new PObject(type, args);
    }
}
