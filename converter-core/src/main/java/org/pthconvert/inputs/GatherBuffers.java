package org.pthconvert.inputs;

import java.nio.ByteBuffer;

/**
 * The direct buffers chunked tensors are gathered through, one set per thread and shared by every
 * tensor that thread reads: a window of a tensor's C-order bytes (which tensor and where it starts
 * are recorded, so that sequential reads are served from it) and a staging buffer for positional
 * reads that are scattered. A checkpoint with thousands of tensors thus holds two buffers, not two
 * per tensor, and none lives on the heap.
 */
final class GatherBuffers {
    private static final ThreadLocal<GatherBuffers> LOCAL = ThreadLocal.withInitial(GatherBuffers::new);

    private ByteBuffer window;
    private ByteBuffer staging;
    /** The tensor whose bytes the window holds, from {@link #start} for {@link #length} bytes. */
    Object owner;
    long start;
    int length;

    private GatherBuffers() {
    }

    static GatherBuffers local() {
        return LOCAL.get();
    }

    /** A window of at least {@code bytes}; its content is the owner's until another takes it. */
    ByteBuffer window(int bytes) {
        if (window == null || window.capacity() < bytes) {
            window = ByteBuffer.allocateDirect(bytes);
        }
        return window;
    }

    /** A staging buffer of exactly {@code bytes} (position 0, limit {@code bytes}). */
    ByteBuffer staging(int bytes) {
        if (staging == null || staging.capacity() < bytes) {
            staging = ByteBuffer.allocateDirect(bytes);
        }
        return staging.clear().limit(bytes).slice();
    }
}
