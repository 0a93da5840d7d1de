package org.pthconvert.writers;

import java.util.List;

import org.pthconvert.io.TensorSource;
import org.pthconvert.tensor.TensorSpec;

/**
 * Enforces the {@link WriteSession} call order for a session implementation: call the
 * {@code check*} method first thing in each session method, the matching {@code *Done} method
 * after it succeeds, and {@link #fail} when it throws.
 */
public final class CallOrder {

    private enum State { NEW, WRITING, FINISHED, FAILED, CLOSED }

    private final String writer;
    private State state = State.NEW;
    private List<TensorSpec> order = List.of();
    private int next;

    /** @param writer the writer's name, for messages */
    public CallOrder(String writer) {
        this.writer = writer;
    }

    /** Before {@code begin}: it must be the first call. */
    public void checkBegin() {
        require(State.NEW, "begin");
    }

    /**
     * Whether a session asked for the plan's specs themselves ({@code planned}, the same objects), in
     * the plan's order: then neither the names nor the plan need to be looked up per tensor.
     */
    public static boolean samePlanOrder(List<TensorSpec> asked, List<TensorSpec> planned) {
        if (asked.size() != planned.size()) {
            return false;
        }
        for (int i = 0; i < asked.size(); i++) {
            if (asked.get(i) != planned.get(i)) {
                return false;
            }
        }
        return true;
    }

    /** After {@code begin} succeeded with this write order. */
    public void beginDone(List<TensorSpec> writeOrder) {
        order = List.copyOf(writeOrder);
        state = State.WRITING;
    }

    /**
     * Before {@code write}: {@code spec} must be the next one and {@code bytes} its length.
     *
     * @return the index of this tensor in the write order
     */
    public int checkWrite(TensorSpec spec, TensorSource bytes) {
        require(State.WRITING, "write");
        if (next >= order.size()) {
            throw misuse("write('" + spec.name() + "') after all " + order.size() + " tensors were written");
        }
        TensorSpec expected = order.get(next);
        if (!expected.equals(spec)) {
            throw misuse("write('" + spec.name() + "') out of order: '" + expected.name()
                    + "' is next (tensor " + (next + 1) + " of " + order.size() + ")");
        }
        if (bytes.byteLength() != spec.byteLength()) {
            state = State.FAILED;
            throw new IllegalArgumentException("tensor '" + spec.name() + "': source has " + bytes.byteLength()
                    + " bytes, its spec " + spec.dtype() + spec.shape() + " needs " + spec.byteLength());
        }
        return next;
    }

    public void writeDone() {
        next++;
    }

    /** Before {@code finish}: every tensor must have been written. */
    public void checkFinish() {
        require(State.WRITING, "finish");
        if (next != order.size()) {
            throw misuse("finish() after " + next + " of " + order.size() + " tensors; '"
                    + order.get(next).name() + "' is next");
        }
    }

    public void finishDone() {
        state = State.FINISHED;
    }

    /** A session method threw: from now on only {@code close} is allowed. */
    public void fail() {
        if (state != State.CLOSED) {
            state = State.FAILED;
        }
    }

    /**
     * Marks the session closed.
     *
     * @return true when this closes an unfinished session (an abort); false after {@code finish}
     *         or when already closed
     */
    public boolean close() {
        boolean abort = state != State.FINISHED && state != State.CLOSED;
        state = State.CLOSED;
        return abort;
    }

    public boolean finished() {
        return state == State.FINISHED;
    }

    public boolean closed() {
        return state == State.CLOSED;
    }

    private void require(State wanted, String call) {
        if (state == wanted) {
            return;
        }
        String why = switch (state) {
            case NEW -> "begin() has not been called";
            case WRITING -> "begin() was already called";
            case FINISHED -> "the session has finished";
            case FAILED -> "an earlier call failed";
            case CLOSED -> "the session is closed";
        };
        throw misuse(call + "() not allowed: " + why);
    }

    private IllegalStateException misuse(String message) {
        return new IllegalStateException(writer + " session: " + message);
    }
}
